"""The appeals app's background jobs, registered in every process (minyi/worker/apps.py): the WeChat
customer-service messages (minyi/appeals/wechat.py)."""

from minyi.appeals import wechat  # noqa: F401 (importing it registers its job handler)
