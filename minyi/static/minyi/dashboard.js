// Draws the dashboard's charts with Apache ECharts (served from our own static files) from the JSON
// the page embeds; a click on a bar, slice or point opens the list behind that number. Every chart
// also has its table of numbers in the page (for screen readers and for copying).
(function () {
  "use strict";

  function option(chart) {
    var base = {
      tooltip: { trigger: chart.chart === "pie" ? "item" : "axis", confine: true },
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      animation: false,
    };
    if (chart.chart === "pie") {
      base.series = [{
        type: "pie", radius: ["35%", "65%"],
        data: chart.labels.map(function (label, i) { return { name: label, value: chart.values[i] }; }),
      }];
      return base;
    }
    if (chart.chart === "line") {
      base.xAxis = { type: "category", data: chart.labels };
      base.yAxis = { type: "value" };
      var names = Object.keys(chart.series || {});
      base.series = names.length
        ? names.map(function (name) { return { name: name, type: "line", data: chart.series[name], connectNulls: true }; })
        : [{ type: "line", data: chart.values, areaStyle: {} }];
      if (names.length) { base.legend = { top: 0 }; base.grid.top = 32; }
      return base;
    }
    if (chart.chart === "progress") {
      var stacks = Object.keys(chart.series || {});
      base.xAxis = { type: "value" };
      base.yAxis = { type: "category", data: chart.labels, inverse: true };
      base.legend = { top: 0 }; base.grid.top = 32;
      base.series = stacks.map(function (name) { return { name: name, type: "bar", stack: "all", data: chart.series[name] }; });
      return base;
    }
    // A bar's figure sits right of its end: the grid keeps room for it (containLabel counts only the
    // axes' labels), so the longest bar's "100" is never cut off. Rates read in per cent, up to 100.
    var rate = chart.key === "rates" || chart.key.indexOf("rate") === 0;
    base.grid.right = 56;
    base.xAxis = rate ? { type: "value", max: 100, axisLabel: { formatter: "{value}%" } } : { type: "value", minInterval: 1 };
    base.yAxis = { type: "category", data: chart.labels, inverse: true, axisLabel: { width: 110, overflow: "truncate" } };
    base.series = [{
      type: "bar", data: chart.values,
      label: { show: true, position: "right", formatter: rate ? "{c}%" : "{c}" },
    }];
    return base;
  }

  function draw() {
    var data = document.getElementById("dashboard-charts");
    if (!data || !window.echarts) { return; }
    JSON.parse(data.textContent).forEach(function (chart) {
      var box = document.querySelector('[data-chart="chart-' + chart.key + '"]');
      if (!box) { return; }
      var rows = chart.chart === "line" ? 1 : Math.max(chart.labels.length, 3);
      box.style.height = Math.min(Math.max(rows * 28 + 60, 220), 520) + "px";
      var drawn = window.echarts.init(box, null, { renderer: "svg" });
      drawn.setOption(option(chart));
      drawn.on("click", function (params) {
        var link = chart.links[params.dataIndex];
        if (link) { window.location.href = link; }
      });
      box.setAttribute("data-drawn", "true");
      window.addEventListener("resize", function () { drawn.resize(); });
    });
  }

  // At most five ranges of whole numbers above zero, of a round width, and zero by itself.
  function pieces(max) {
    var result = [{ value: 0, label: "0" }];
    if (max < 1) { return result; }
    var raw = Math.ceil(max / 5);
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * magnitude; }).filter(function (s) { return s >= raw; })[0];
    for (var low = 1; low <= max; low += step) {
      var high = low + step - 1;
      result.push({ min: low, max: high, label: low === high ? String(low) : low + "–" + high });
    }
    return result;
  }

  // The map: the outlines the admin uploaded (registerMap, no online tiles), coloured by the appeals
  // received in the period or by those overdue now; the buttons switch, a click opens the list.
  function drawMap() {
    var data = document.getElementById("dashboard-map");
    var box = document.querySelector('[data-chart="chart-map"]');
    if (!data || !box || !window.echarts) { return; }
    var map = JSON.parse(data.textContent);
    window.echarts.registerMap(map.name, map.geojson);
    box.style.height = "420px";
    var drawn = window.echarts.init(box, null, { renderer: "svg" });
    var measure = "appeals";
    function show() {
      var values = map[measure];
      drawn.setOption({
        animation: false,
        tooltip: { trigger: "item", confine: true },
        // The legend names its ranges ("0", "1–5", "6–10" …), so a colour reads as a number.
        visualMap: {
          type: "piecewise", pieces: pieces(Math.max.apply(null, values.concat([0]))),
          left: 8, bottom: 8, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 11 },
          inRange: { color: measure === "overdue" ? ["#fff5f0", "#cb181d"] : ["#eff3ff", "#2171b5"] },
        },
        series: [{
          type: "map", map: map.name, roam: false, selectedMode: false, left: 80, right: 8, top: 8, bottom: 8,
          label: { show: true, fontSize: 11, color: "#1b1b1b", textBorderColor: "#fff", textBorderWidth: 2 },
          data: map.names.map(function (name, i) { return { name: name, value: values[i] }; }),
        }],
      }, true);
      document.querySelectorAll("[data-map-measure]").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-map-measure") === measure));
      });
      box.setAttribute("data-measure", measure);
    }
    show();
    drawn.on("click", function (params) {
      var i = map.names.indexOf(params.name);
      var link = i < 0 ? "" : (measure === "overdue" ? map.overdue_links[i] : map.links[i]);
      if (link) { window.location.href = link; }
    });
    document.querySelectorAll("[data-map-measure]").forEach(function (button) {
      button.addEventListener("click", function () { measure = button.getAttribute("data-map-measure"); show(); });
    });
    box.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { drawn.resize(); });
  }

  function start() { draw(); drawMap(); }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
