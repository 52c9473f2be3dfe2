# -*- coding: utf-8 -*-
# Copyright: Inventory Platform contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: automation
type: notification
short_description: Posts each host's results to Inventory Platform as automation records
version_added: 0.1.0
description:
  - At the end of a run, posts one automation record per host
    (C(POST /api/inventory/v1/automation-records/)) with the job, the playbook, start and end,
    the host's outcome (C(ok), C(changed), C(failed), C(unreachable) or C(skipped), from the
    run's recap) with its task counts, and the identity the host reported in its facts
    (C(ansible_product_serial), C(ansible_product_uuid), MAC and IP addresses,
    C(ansible_fqdn), C(ansible_hostname)), so the service can match it to a resource.
  - Facts are read from the run's task results (fact gathering, C(set_fact), modules that
    return C(ansible_facts)) and from the fact cache.
  - Under AWX/AAP the job id, name and template come from the job (C(awx_job_id),
    C(awx_job_template_name) extra variables); elsewhere each run is its own job.
  - A failed post is a warning; it never fails the playbook.
requirements:
  - Enable it with C(ANSIBLE_CALLBACKS_ENABLED=inventory_platform.inventory.automation)
    (or C(callbacks_enabled) in C(ansible.cfg)).
options:
  url:
    description:
      - The service, e.g. C(https://inventory.example.com), or its API base ending in
        C(/api/inventory/v1) or C(/api/v1).
    type: str
    required: true
    env:
      - name: INVENTORY_PLATFORM_URL
    ini:
      - section: callback_inventory_platform
        key: url
  token:
    description: "A token the service accepts, sent as C(Authorization: Bearer); takes precedence over I(username)."
    type: str
    env:
      - name: INVENTORY_PLATFORM_TOKEN
    ini:
      - section: callback_inventory_platform
        key: token
  username:
    description: A local user's name, with I(password) (HTTP Basic).
    type: str
    env:
      - name: INVENTORY_PLATFORM_USERNAME
    ini:
      - section: callback_inventory_platform
        key: username
  password:
    description: The password of I(username).
    type: str
    env:
      - name: INVENTORY_PLATFORM_PASSWORD
    ini:
      - section: callback_inventory_platform
        key: password
  validate_certs:
    description: Verify the service's TLS certificate.
    type: bool
    default: true
    env:
      - name: INVENTORY_PLATFORM_VALIDATE_CERTS
    ini:
      - section: callback_inventory_platform
        key: validate_certs
  organization:
    description:
      - Organization id the records belong to. May be left out when the credentials may add
        records to exactly one organization.
    type: int
    env:
      - name: INVENTORY_PLATFORM_ORGANIZATION
    ini:
      - section: callback_inventory_platform
        key: organization
  job_id:
    description:
      - The job the records belong to; a record is kept once per job and host, so posting the
        same job again updates its records. Default the AWX/AAP job id, else a new id per run.
    type: str
    env:
      - name: INVENTORY_PLATFORM_JOB_ID
  job_name:
    description: The job's name. Default the AWX/AAP job name, else the playbook's file name.
    type: str
    env:
      - name: INVENTORY_PLATFORM_JOB_NAME
  timeout:
    description: Seconds to wait for the service.
    type: int
    default: 60
    env:
      - name: INVENTORY_PLATFORM_TIMEOUT
"""

import json
import os
import uuid
from datetime import datetime

from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url
from ansible.plugins.callback import CallbackBase

# What the service takes in one request.
BATCH = 10000


def records_url(base):
    """The /automation-records/ endpoint of a service root or API base URL."""
    base = base.strip().rstrip("/")
    if base.endswith("/automation-records"):
        return base + "/"
    if base.endswith("/api/inventory/v1") or base.endswith("/api/v1"):
        return base + "/automation-records/"
    return base + "/api/inventory/v1/automation-records/"


def now_iso():
    return datetime.utcnow().replace(microsecond=0).isoformat() + "Z"


def host_status(summary):
    """The host's outcome from its recap: the worst that happened to it."""
    if summary.get("unreachable"):
        return "unreachable"
    if summary.get("failures"):
        return "failed"
    if summary.get("changed"):
        return "changed"
    if summary.get("ok"):
        return "ok"
    return "skipped"


def fact(facts, name):
    value = facts.get("ansible_" + name)
    if value is None:
        value = facts.get(name)
    return value


def identity_of(facts):
    """The identity fields of a host's facts (prefixed or not), or None when there are none."""
    if not facts:
        return None
    macs = []
    ips = []
    default = fact(facts, "default_ipv4")
    if isinstance(default, dict) and default.get("macaddress"):
        macs.append(default["macaddress"])
    for name in fact(facts, "interfaces") or []:
        info = fact(facts, str(name).replace("-", "_").replace(".", "_").replace(":", "_"))
        if name != "lo" and isinstance(info, dict) and info.get("macaddress"):
            macs.append(info["macaddress"])
    for key in ("all_ipv4_addresses", "all_ipv6_addresses"):
        values = fact(facts, key)
        if isinstance(values, list):
            ips.extend(str(ip) for ip in values)
    identity = {
        "smbios_serial": fact(facts, "product_serial"),
        "bios_uuid": fact(facts, "product_uuid"),
        "mac_addresses": sorted(set(str(m) for m in macs if isinstance(m, str) and len(m) <= 64)),
        "ip_addresses": sorted(set(ip for ip in ips if len(ip) <= 64)),
        "fqdn": fact(facts, "fqdn"),
        "hostname": fact(facts, "hostname"),
    }
    for key in ("smbios_serial", "bios_uuid", "fqdn", "hostname"):
        value = identity[key]
        identity[key] = to_text(value)[:255] if isinstance(value, (str, int)) and value != "" else None
    if not any(identity.values()):
        return None
    return identity


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "inventory_platform.inventory.automation"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display=display)
        self.started_at = now_iso()
        self.playbook = ""
        self.facts = {}
        self.play = None
        self.extra_vars = {}

    def v2_playbook_on_start(self, playbook):
        self.started_at = now_iso()
        self.playbook = os.path.basename(to_text(playbook._file_name or ""))

    def v2_playbook_on_play_start(self, play):
        self.play = play
        try:
            self.extra_vars = dict(play.get_variable_manager().extra_vars or {})
        except Exception:
            self.extra_vars = {}

    def _remember_facts(self, result):
        facts = (result._result or {}).get("ansible_facts")
        if isinstance(facts, dict) and facts:
            host = result._host.get_name()
            self.facts.setdefault(host, {}).update(facts)

    def v2_runner_on_ok(self, result):
        self._remember_facts(result)

    def v2_runner_item_on_ok(self, result):
        self._remember_facts(result)

    def _cached_facts(self, host):
        """Facts of the host the run did not produce itself (the fact cache)."""
        if self.play is None:
            return {}
        try:
            manager = self.play.get_variable_manager()
            cached = manager._fact_cache.get(host)
            return dict(cached) if cached else {}
        except Exception:
            return {}

    def _job(self):
        job_id = self.get_option("job_id") or self.extra_vars.get("awx_job_id") or self.extra_vars.get("tower_job_id")
        template = self.extra_vars.get("awx_job_template_name") or self.extra_vars.get("tower_job_template_name") or ""
        name = self.get_option("job_name") or template or self.playbook
        return to_text(job_id or uuid.uuid4()), to_text(name)[:512], to_text(template)[:512]

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        if not hosts:
            return
        url = self.get_option("url")
        if not url:
            self._display.warning("inventory_platform.inventory.automation: no url (INVENTORY_PLATFORM_URL); nothing posted.")
            return
        job_id, job_name, template = self._job()
        finished_at = now_iso()
        records = []
        for host in hosts:
            summary = stats.summarize(host)
            facts = self._cached_facts(host)
            facts.update(self.facts.get(host, {}))
            record = {
                "job_id": job_id,
                "job_name": job_name,
                "job_template": template,
                "playbook": self.playbook,
                "started_at": self.started_at,
                "finished_at": finished_at,
                "status": host_status(summary),
                "task_counts": dict(
                    (name, int(summary.get(key, 0) or 0))
                    for name, key in (
                        ("ok", "ok"),
                        ("changed", "changed"),
                        ("failed", "failures"),
                        ("unreachable", "unreachable"),
                        ("skipped", "skipped"),
                        ("rescued", "rescued"),
                        ("ignored", "ignored"),
                    )
                ),
                "host_name": to_text(host)[:512],
            }
            identity = identity_of(facts)
            if identity:
                record["identity"] = identity
            records.append(record)
        for start in range(0, len(records), BATCH):
            self._post(records_url(url), records[start:start + BATCH])

    def _post(self, url, records):
        body = {"records": records}
        organization = self.get_option("organization")
        if organization:
            body["organization"] = int(organization)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        token = self.get_option("token")
        username = self.get_option("username")
        kwargs = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        elif username:
            kwargs = dict(url_username=username, url_password=self.get_option("password") or "", force_basic_auth=True)
        else:
            self._display.warning(
                "inventory_platform.inventory.automation: give token (INVENTORY_PLATFORM_TOKEN) or username and "
                "password (INVENTORY_PLATFORM_USERNAME, INVENTORY_PLATFORM_PASSWORD); nothing posted."
            )
            return
        try:
            response = open_url(
                url,
                data=json.dumps(body),
                method="POST",
                headers=headers,
                validate_certs=self.get_option("validate_certs"),
                timeout=self.get_option("timeout"),
                **kwargs
            )
            answer = json.loads(to_text(response.read()))
            summary = ", ".join("%s %s" % (count, status) for status, count in sorted(answer.get("match_summary", {}).items()))
            self._display.display(
                "inventory_platform: posted %d automation records of job %s (%s)" % (len(records), records[0]["job_id"], summary)
            )
        except HTTPError as e:
            detail = ""
            try:
                detail = json.loads(to_text(e.read())).get("detail", "")
            except Exception:
                pass
            self._display.warning(
                "inventory_platform.inventory.automation: %s answered %s%s" % (url, e.code, (": " + detail) if detail else "")
            )
        except (URLError, OSError, ValueError) as e:
            self._display.warning("inventory_platform.inventory.automation: cannot post to %s: %s" % (url, to_native(e)))
