/* Minyi: record study attendance on a phone with no network (/study/offline/).
 *
 * The sessions and members come from the data URL when there is network and are kept in localStorage,
 * so the page (served by the service worker) works at sea. Each record gets its own uid on the phone;
 * the server counts a record sent twice once, so sending again is always safe. Records the server
 * refuses or finds in conflict stay listed with the server's message until the user dismisses them.
 * A plain member records only their own attendance, with the code of the session they saw there.
 * Leaders and cadres also record visits (the visit form); they wait in the same queue and are sent
 * with the same button to their own sync URL.
 * No framework and no build step: plain DOM, text only (never innerHTML with data).
 */
(function () {
  "use strict";

  const configNode = document.getElementById("offline-config");
  const app = document.getElementById("offline-app");
  if (!configNode || !app) {
    return;
  }
  const cfg = JSON.parse(configNode.textContent);
  const t = cfg.strings;
  let csrf = cfg.csrf;
  let sending = null; /* the promise of the sync in flight, so two triggers send once */

  const $ = (id) => document.getElementById(id);
  const el = {
    net: $("net-status"),
    age: $("data-age"),
    session: $("offline-session"),
    roll: $("offline-roll"),
    notice: $("offline-notice"),
    save: $("offline-save"),
    count: $("waiting-count"),
    waiting: $("waiting-list"),
    send: $("offline-send"),
    outcome: $("offline-outcome"),
    problemsCard: $("problems-card"),
    problems: $("offline-problems"),
    lastInfo: $("last-batch-info"),
    resend: $("offline-resend"),
    resendOutcome: $("resend-outcome"),
    attendanceCard: $("attendance-card"),
    ownCode: $("own-code"),
    code: $("offline-code"),
    visitCard: $("visit-card"),
    visitForm: $("visit-form"),
    visitDate: $("visit-date"),
    visitVillage: $("visit-village"),
    visitHousehold: $("visit-household"),
    visitDifficulties: $("visit-difficulties"),
    visitAdd: $("visit-add-difficulty"),
    visitNotice: $("visit-notice"),
    rollTools: $("roll-tools"),
    filter: $("offline-filter"),
    all: $("offline-all"),
    rollCount: $("roll-count"),
  };

  /* --- what the phone keeps (one set of keys per login, so two users of one phone never mix) --- */

  const storeKey = (name) => "minyi-offline:" + cfg.user + ":" + name;
  const store = {
    get(name, fallback) {
      try {
        const raw = window.localStorage.getItem(storeKey(name));
        return raw === null ? fallback : JSON.parse(raw);
      } catch (error) {
        return fallback;
      }
    },
    set(name, value) {
      window.localStorage.setItem(storeKey(name), JSON.stringify(value));
    },
  };

  let data = store.get("data", null);
  /* Each record: {uid, session, member, code?, sessionLabel, memberName, savedAt, problem?: {kind, message}},
     or a visit: {kind: "visit", uid, record (as sent), label, savedAt, problem?} */
  let queue = store.get("queue", []);

  function saveQueue() {
    store.set("queue", queue);
  }

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  function plural(base, n) {
    return fmt(n === 1 ? t[base + "_one"] : t[base + "_other"], { n: n });
  }

  function newUid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    /* Older phones: a version 4 UUID from random bytes. */
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function node(tag, attrs, text) {
    const made = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => made.setAttribute(name, value));
    if (text !== undefined) {
      made.textContent = text;
    }
    return made;
  }

  /* --- drawing ---------------------------------------------------------------------------------- */

  function sessionLabel(session) {
    return [session.starts_at, session.topic, session.place, session.activity].filter(Boolean).join(" · ");
  }

  function isVisit(record) {
    return record.kind === "visit";
  }

  function recordText(r) {
    if (isVisit(r)) {
      return t.visit_label + " · " + r.label;
    }
    return r.memberName + " · " + r.sessionLabel + (r.code ? " · " + fmt(t.code_label, { code: r.code }) : "");
  }

  function today() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function findSession(id) {
    return data ? data.sessions.find((s) => s.id === id) : undefined;
  }

  function drawStatus() {
    const online = navigator.onLine;
    el.net.textContent = online ? t.online : t.offline;
    el.net.className = "net " + (online ? "is-online" : "is-offline");
    el.age.textContent = data ? fmt(t.data_at, { time: data.generated_at }) : t.no_data;
  }

  function drawSessions() {
    const chosen = el.session.value;
    el.session.replaceChildren();
    if (!data || data.sessions.length === 0) {
      el.session.append(node("option", { value: "" }, data ? t.empty : t.no_data));
      el.session.disabled = true;
      return;
    }
    el.session.disabled = false;
    /* Pre-select the session that started last (else the next one): the one being recorded now. */
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    const nowText = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) + " " +
      pad(now.getHours()) + ":" + pad(now.getMinutes());
    const started = data.sessions.find((s) => s.starts_at <= nowText);
    const preferred = chosen || String((started || data.sessions[data.sessions.length - 1]).id);
    data.sessions.forEach((session) => {
      el.session.append(node("option", { value: String(session.id) }, sessionLabel(session)));
    });
    if (data.sessions.some((s) => String(s.id) === preferred)) {
      el.session.value = preferred;
    }
  }

  function drawRoll() {
    const ticked = new Set(
      Array.from(el.roll.querySelectorAll("input[name=member]:checked"), (box) => box.value)
    );
    el.roll.replaceChildren();
    if (!data) {
      return;
    }
    const session = findSession(Number(el.session.value));
    const attended = new Set(session ? session.attended : []);
    const waiting = new Set(
      queue.filter((r) => !isVisit(r) && session && r.session === session.id).map((r) => r.member)
    );
    const own = Boolean(data.self_only);
    el.ownCode.hidden = !own;
    el.rollTools.hidden = true;
    /* A plain member's roll is themself: the code field records them. */
    if (own) {
      const done = attended.has(data.me) || waiting.has(data.me);
      el.code.disabled = done || !session;
      if (done) {
        el.roll.append(node("p", { class: "done", id: "own-state" }, attended.has(data.me) ? t.already : t.queued));
      }
      return;
    }
    el.rollTools.hidden = false;
    const groups = invitedGroups(session);
    groups.forEach((group) => {
      const set = node("fieldset", { "data-branch": String(group.id) });
      set.append(node("legend", {}, group.name + (group.kind ? " (" + group.kind + ")" : "")));
      group.members.forEach((member) => {
        const id = "member-" + group.id + "-" + member.id;
        const label = node("label", { for: id });
        const box = node("input", { type: "checkbox", id: id, name: "member", value: String(member.id) });
        box.dataset.name = member.name;
        label.append(box, node("span", {}, member.name));
        if (member.mobile) {
          label.append(node("span", { class: "tag" }, t.mobile + (member.whereabouts ? " · " + member.whereabouts : "")));
        }
        box.checked = ticked.has(box.value);
        if (attended.has(member.id) || waiting.has(member.id)) {
          box.checked = false;
          box.disabled = true;
          label.classList.add("done");
          label.append(node("span", { class: "tag" }, attended.has(member.id) ? t.already : t.queued));
        }
        set.append(label);
      });
      el.roll.append(set);
    });
    if (groups.length === 0 && session) {
      el.roll.append(node("p", { class: "hint" }, t.roll_none));
    }
    filterRoll();
  }

  /* The members the session invites (its branches, by current or home branch; a session that names
     no branch is open to all), each once, grouped under the invited branch they belong to. */
  function invitedGroups(session) {
    if (!session) {
      return [];
    }
    const invited = session.branches && session.branches.length ? new Set(session.branches) : null;
    const known = new Map(data.branches.map((b) => [b.id, b]));
    const groups = new Map();
    const seen = new Set();
    data.branches.forEach((branch) => {
      branch.members.forEach((member) => {
        if (seen.has(member.id)) {
          return;
        }
        let groupId = branch.id;
        if (invited && !invited.has(branch.id)) {
          if (!invited.has(member.home)) {
            return;
          }
          groupId = member.home;
        }
        seen.add(member.id);
        if (!groups.has(groupId)) {
          const from = known.get(groupId);
          groups.set(groupId, {
            id: groupId,
            name: from ? from.name : member.home_name,
            kind: from ? from.kind : "",
            members: [],
          });
        }
        groups.get(groupId).members.push(member);
      });
    });
    return Array.from(groups.values());
  }

  /* Show the members whose name holds what is typed in the search box; count them. */
  function filterRoll() {
    const wanted = el.filter.value.trim();
    const labels = Array.from(el.roll.querySelectorAll("label"));
    let shown = 0;
    labels.forEach((label) => {
      const box = label.querySelector("input[name=member]");
      const hit = !wanted || (box && box.dataset.name.includes(wanted));
      label.hidden = !hit;
      shown += hit ? 1 : 0;
    });
    el.roll.querySelectorAll("fieldset").forEach((set) => {
      set.hidden = !Array.from(set.querySelectorAll("label")).some((label) => !label.hidden);
    });
    const total = labels.length;
    el.rollCount.textContent = wanted ? fmt(t.roll_found, { shown: shown, n: total }) : plural("roll", total);
    el.all.disabled = shown === 0;
  }

  /* 全部到场: tick every member shown (not those already recorded or waiting). */
  function tickAll() {
    el.roll.querySelectorAll("label:not([hidden]) input[name=member]:not(:disabled)").forEach((box) => {
      box.checked = true;
    });
  }

  function drawQueue() {
    const waiting = queue.filter((r) => !r.problem);
    const problems = queue.filter((r) => r.problem);
    el.count.textContent = plural("waiting", waiting.length);
    el.count.dataset.count = String(waiting.length);
    el.waiting.replaceChildren(
      ...waiting.map((r) => node("li", { "data-uid": r.uid, "data-kind": isVisit(r) ? "visit" : "attendance" }, recordText(r)))
    );
    el.problemsCard.hidden = problems.length === 0;
    el.problems.replaceChildren(
      ...problems.map((r) => {
        const item = node("li", { "data-uid": r.uid, "data-kind": r.problem.kind });
        const button = node("button", { type: "button", class: "dismiss" }, t.dismiss);
        button.addEventListener("click", () => dismiss(r.uid));
        item.append(
          node("strong", {}, r.problem.kind === "conflict" ? t.conflict : t.error),
          node("span", {}, recordText(r)),
          button,
          node("span", { class: "why" }, r.problem.message)
        );
        return item;
      })
    );
    const last = store.get("last", null);
    const lastVisits = store.get("last_visits", null);
    const count = (last ? last.length : 0) + (lastVisits ? lastVisits.length : 0);
    el.lastInfo.textContent = count ? plural("last_batch", count) : t.no_last;
    el.resend.disabled = !count;
  }

  function drawVillages() {
    if (!el.visitVillage) {
      return;
    }
    const chosen = el.visitVillage.value;
    el.visitVillage.replaceChildren(node("option", { value: "" }, data ? "—" : t.no_data));
    (data ? data.villages || [] : []).forEach((village) => {
      const label = village.township ? village.name + " (" + village.township + ")" : village.name;
      el.visitVillage.append(node("option", { value: String(village.id) }, label));
    });
    if (chosen && data && (data.villages || []).some((v) => String(v.id) === chosen)) {
      el.visitVillage.value = chosen;
    }
    /* A visitor with no roll and no sessions sees only the visit form. */
    const noStudy = data && !data.self_only && data.sessions.length === 0 && data.branches.length === 0;
    el.attendanceCard.hidden = Boolean(noStudy && (data.villages || []).length > 0);
  }

  function drawAll() {
    drawStatus();
    drawSessions();
    drawRoll();
    drawVillages();
    drawQueue();
  }

  function say(text) {
    el.notice.textContent = text;
  }

  /* --- recording on the phone ------------------------------------------------------------------- */

  function saveOwn(session) {
    if (session.attended.includes(data.me)) {
      say(t.already);
      return;
    }
    if (queue.some((r) => !isVisit(r) && r.session === session.id && r.member === data.me)) {
      say(t.queued);
      return;
    }
    const code = el.code.value.replace(/\s+/g, "").toUpperCase();
    if (!code) {
      say(t.code_needed);
      el.code.focus();
      return;
    }
    queue.push({
      uid: newUid(),
      session: session.id,
      member: data.me,
      code: code,
      sessionLabel: sessionLabel(session),
      memberName: "",
      savedAt: new Date().toISOString(),
    });
    saveQueue();
    el.code.value = "";
    say(fmt(t.saved_own, { code: code }));
    drawRoll();
    drawQueue();
  }

  function saveTicked() {
    const session = findSession(Number(el.session.value));
    if (!session) {
      say(t.pick_session);
      return;
    }
    if (data.self_only) {
      saveOwn(session);
      return;
    }
    const ticked = Array.from(el.roll.querySelectorAll("input[name=member]:checked:not(:disabled)"));
    if (ticked.length === 0) {
      say(t.pick_members);
      return;
    }
    const savedAt = new Date().toISOString();
    const seen = new Set();
    ticked.forEach((box) => {
      const member = Number(box.value);
      if (seen.has(member)) {
        return; /* a member listed under two branches is recorded once */
      }
      seen.add(member);
      queue.push({
        uid: newUid(),
        session: session.id,
        member: member,
        sessionLabel: sessionLabel(session),
        memberName: box.dataset.name,
        savedAt: savedAt,
      });
    });
    saveQueue();
    say(fmt(t.saved, { n: seen.size }));
    drawRoll();
    drawQueue();
  }

  /* --- visits ---------------------------------------------------------------------------------- */

  function addDifficulty() {
    const box = node("div", { class: "difficulty" });
    const number = el.visitDifficulties.children.length + 1;
    const text = node("textarea", { name: "difficulty_text", rows: "2", maxlength: "1000", "aria-label": t.difficulty + " " + number, placeholder: t.difficulty });
    const handledBox = node("input", { type: "checkbox", name: "difficulty_handled" });
    const handled = node("label", {});
    handled.append(handledBox, node("span", {}, t.handled));
    const resolution = node("input", { type: "text", name: "difficulty_resolution", maxlength: "200", "aria-label": t.resolution, placeholder: t.resolution });
    const remove = node("button", { type: "button", class: "remove" }, t.remove);
    remove.addEventListener("click", () => box.remove());
    box.append(text, handled, resolution, remove);
    el.visitDifficulties.append(box);
    text.focus();
  }

  function sayVisit(text) {
    el.visitNotice.textContent = text;
  }

  function saveVisit(event) {
    event.preventDefault();
    const form = el.visitForm;
    if (!el.visitDate.value) {
      sayVisit(t.pick_date);
      return;
    }
    const villageId = Number(el.visitVillage.value);
    const village = data && (data.villages || []).find((v) => v.id === villageId);
    if (!village) {
      sayVisit(t.pick_village);
      return;
    }
    const record = {
      uid: newUid(),
      visited_on: el.visitDate.value,
      village: villageId,
      household: el.visitHousehold.value.trim(),
      diary_text: form.elements.diary_text.value,
      difficulties: Array.from(el.visitDifficulties.querySelectorAll(".difficulty"))
        .map((box) => ({
          text: box.querySelector("[name=difficulty_text]").value,
          handled_on_spot: box.querySelector("[name=difficulty_handled]").checked,
          resolution: box.querySelector("[name=difficulty_resolution]").value,
        }))
        .filter((d) => d.text.trim() || d.resolution.trim()),
    };
    form.querySelectorAll("fieldset.checklist input[type=checkbox]").forEach((box) => {
      record[box.name] = box.checked;
    });
    form.querySelectorAll("fieldset.checklist input[type=text]").forEach((input) => {
      record[input.name] = input.value;
    });
    const label = [record.visited_on, village.name, record.household].filter(Boolean).join(" · ");
    queue.push({ kind: "visit", uid: record.uid, record: record, label: label, savedAt: new Date().toISOString() });
    saveQueue();
    const date = el.visitDate.value;
    form.reset();
    el.visitDate.value = date;
    el.visitVillage.value = String(villageId);
    el.visitDifficulties.replaceChildren();
    sayVisit(t.saved_visit);
    drawQueue();
  }

  function dismiss(uid) {
    queue = queue.filter((r) => r.uid !== uid);
    saveQueue();
    drawRoll();
    drawQueue();
  }

  /* --- talking to the server -------------------------------------------------------------------- */

  /* Fetch the sessions and members again; "ok", "login" (sent to the login page) or "failed". */
  async function refreshData() {
    if (!navigator.onLine) {
      return "failed";
    }
    try {
      const response = await fetch(cfg.dataUrl, {
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.type === "opaqueredirect") {
        return "login";
      }
      if (!response.ok) {
        return "failed";
      }
      const fresh = await response.json();
      csrf = fresh.csrf || csrf;
      delete fresh.csrf;
      data = fresh;
      store.set("data", data);
      drawAll();
      app.dataset.stored = "1";
      return "ok";
    } catch (error) {
      return "failed";
    }
  }

  /* POST one batch; returns {ok, body} or {ok: false, message}. A refused CSRF token (403) is
     renewed from the data URL and the batch tried once more. */
  async function post(url, records, retried) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ records: records }),
      });
    } catch (error) {
      return { ok: false, message: t.no_network };
    }
    if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
      return { ok: false, message: t.login, login: true };
    }
    if (response.status === 403) {
      /* Refused CSRF token: without a login (the cookie went with it) or from an old copy of the page. */
      const renewed = retried ? "failed" : await refreshData();
      if (renewed === "ok") {
        return post(url, records, true);
      }
      return renewed === "login" ? { ok: false, message: t.login, login: true } : { ok: false, message: t.stale };
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok || !body) {
      return { ok: false, message: (body && body.error) || t.failed };
    }
    return { ok: true, body: body };
  }

  function apply(sent, body) {
    const gone = new Set([...body.recorded, ...body.already]);
    const problems = new Map();
    const mark = (kind) => (problem) => {
      const uid = problem.uid || (sent[problem.index] && sent[problem.index].uid);
      if (uid) {
        problems.set(uid, { kind: kind, message: problem.message });
      }
    };
    body.errors.forEach(mark("error"));
    body.conflicts.forEach(mark("conflict"));
    queue = queue
      .filter((r) => !gone.has(r.uid))
      .map((r) => (problems.has(r.uid) ? Object.assign({}, r, { problem: problems.get(r.uid) }) : r));
    saveQueue();
  }

  function showOutcome(target, outcome) {
    target.hidden = false;
    target.className = (target === el.outcome ? "outcome " : "") + (outcome.ok ? "success" : "error");
    target.textContent = outcome.message;
    if (outcome.login) {
      target.append(" ", node("a", { href: cfg.loginUrl, id: "offline-login" }, t.log_in));
    }
    ["recorded", "already", "errors", "conflicts"].forEach((name) => {
      if (outcome.totals) {
        target.dataset[name] = String(outcome.totals[name]);
      } else {
        delete target.dataset[name]; /* a failed send counted nothing */
      }
    });
  }

  async function sendWaiting() {
    const waiting = queue.filter((r) => !r.problem);
    if (waiting.length === 0) {
      say(t.nothing);
      return null;
    }
    say(t.sending);
    const totals = { recorded: 0, already: 0, errors: 0, conflicts: 0 };
    const messages = [];
    const size = cfg.maxBatch || 500;
    const kinds = [
      { url: cfg.syncUrl, last: "last", records: waiting.filter((r) => !isVisit(r)), wire: attendanceWire },
      { url: cfg.visitSyncUrl, last: "last_visits", records: waiting.filter(isVisit), wire: (r) => r.record },
    ];
    for (const kind of kinds) {
      for (let start = 0; start < kind.records.length; start += size) {
        const chunk = kind.records.slice(start, start + size);
        const records = chunk.map(kind.wire);
        const answer = await post(kind.url, records, false);
        if (!answer.ok) {
          say("");
          showOutcome(el.outcome, answer);
          drawQueue();
          return answer;
        }
        store.set(kind.last, records);
        apply(chunk, answer.body);
        Object.keys(totals).forEach((name) => {
          totals[name] += answer.body[name].length;
        });
        messages.push(answer.body.message);
      }
    }
    say("");
    const clean = totals.errors === 0 && totals.conflicts === 0;
    showOutcome(el.outcome, { ok: clean, message: messages.join(" "), totals: totals });
    drawQueue();
    await refreshData(); /* marks the members now recorded */
    return { ok: true, totals: totals };
  }

  function attendanceWire(r) {
    const sent = { uid: r.uid, session: r.session, member: r.member };
    if (r.code) {
      sent.code = r.code;
    }
    return sent;
  }

  function send() {
    if (!sending) {
      sending = sendWaiting().finally(() => {
        sending = null;
      });
    }
    return sending;
  }

  /* Send the last batch again, as it was: the server must count it once (answers "already there"). */
  async function resendLast() {
    if (sending) {
      await sending; /* one request at a time: the same uid in two requests at once would race */
    }
    const batches = [
      [cfg.syncUrl, store.get("last", null)],
      [cfg.visitSyncUrl, store.get("last_visits", null)],
    ].filter(([, records]) => records && records.length);
    if (batches.length === 0) {
      showOutcome(el.resendOutcome, { ok: false, message: t.no_last });
      return null;
    }
    const body = { recorded: [], already: [], errors: [], conflicts: [] };
    const messages = [];
    for (const [url, records] of batches) {
      const answer = await post(url, records, false);
      if (!answer.ok) {
        showOutcome(el.resendOutcome, answer);
        return answer;
      }
      Object.keys(body).forEach((name) => {
        body[name] = body[name].concat(answer.body[name]);
      });
      messages.push(answer.body.message);
    }
    body.message = messages.join(" ");
    showOutcome(el.resendOutcome, {
      ok: true,
      message: body.message,
      totals: {
        recorded: body.recorded.length,
        already: body.already.length,
        errors: body.errors.length,
        conflicts: body.conflicts.length,
      },
    });
    return body;
  }

  /* --- wiring ----------------------------------------------------------------------------------- */

  el.session.addEventListener("change", () => {
    el.roll.replaceChildren(); /* ticks belong to the session they were made for */
    el.filter.value = "";
    drawRoll();
  });
  el.save.addEventListener("click", saveTicked);
  el.filter.addEventListener("input", filterRoll);
  el.all.addEventListener("click", tickAll);
  if (el.visitForm) {
    el.visitDate.value = today();
    el.visitDate.max = today();
    el.visitForm.addEventListener("submit", saveVisit);
    el.visitAdd.addEventListener("click", addDifficulty);
  }
  el.send.addEventListener("click", () => {
    send();
  });
  el.resend.addEventListener("click", () => {
    resendLast();
  });
  window.addEventListener("online", () => {
    drawStatus();
    send();
  });
  window.addEventListener("offline", drawStatus);
  /* Another tab of this page changed what is kept: draw it. */
  window.addEventListener("storage", (event) => {
    if (event.key && event.key.startsWith(storeKey(""))) {
      data = store.get("data", null);
      queue = store.get("queue", []);
      drawAll();
    }
  });

  /* For tests and the curious: the records kept and the sync, through the real endpoint. */
  window.minyiOffline = {
    queue: () => queue.slice(),
    lastBatch: () => store.get("last", null),
    lastVisits: () => store.get("last_visits", null),
    send: send,
    resendLast: resendLast,
    refresh: refreshData,
  };

  drawAll();
  if (data) {
    app.dataset.stored = "1";
  }
  /* Records waiting from an earlier visit go out once the server has answered (navigator.onLine alone
     is not proof of a network). */
  refreshData().then((state) => {
    if (state === "ok" && queue.some((r) => !r.problem)) {
      send();
    }
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(cfg.swUrl, { scope: cfg.scope })
      .then(() => navigator.serviceWorker.ready)
      .then(() => {
        app.dataset.sw = "ready";
      })
      .catch(() => {
        /* No service worker (old phone, private mode): the page still keeps records while open. */
      });
  }
})();
