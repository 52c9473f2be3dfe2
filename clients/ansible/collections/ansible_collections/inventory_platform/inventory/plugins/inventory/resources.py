# -*- coding: utf-8 -*-
# Copyright: Inventory Platform contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: resources
short_description: Inventory Platform resources as an Ansible inventory
version_added: 0.1.0
description:
  - Reads the hosts, groups and host variables of an Inventory Platform service in one
    request (C(GET /api/inventory/v1/ansible-inventory/)), so Ansible never calls back per host.
  - The service filters, groups and scopes the resources to what the credentials may see;
    C(compose), C(keyed_groups) and C(groups) then work on the host variables it returns
    (C(inventory_*) by default).
  - The configuration file must end in C(inventory_platform.yml) or C(inventory_platform.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; it marks the file as this plugin's configuration.
    required: true
    choices: ['inventory_platform.inventory.resources']
  url:
    description:
      - The service, e.g. C(https://inventory.example.com) (the plugin adds
        C(/api/inventory/v1/ansible-inventory/)), or its API base ending in
        C(/api/inventory/v1) or C(/api/v1) (behind a gateway that strips the service prefix).
    type: str
    required: true
    env:
      - name: INVENTORY_PLATFORM_URL
  token:
    description:
      - "A token the service accepts (a local token from C(inventory token), or a gateway token),
        sent as C(Authorization: Bearer). Takes precedence over I(username) and I(password)."
    type: str
    env:
      - name: INVENTORY_PLATFORM_TOKEN
  username:
    description: A local user's name, with I(password) (HTTP Basic).
    type: str
    env:
      - name: INVENTORY_PLATFORM_USERNAME
  password:
    description: The password of I(username).
    type: str
    env:
      - name: INVENTORY_PLATFORM_PASSWORD
  validate_certs:
    description: Verify the service's TLS certificate.
    type: bool
    default: true
    env:
      - name: INVENTORY_PLATFORM_VALIDATE_CERTS
  query_filters:
    description:
      - Resources filters, as the C(/resources/) list takes them (C(state), C(provider),
        C(resource_type), C(category), C(tag), C(name__ic), C(search), ...). A list value
        repeats the parameter (any of).
      - Without a C(category) or C(resource_type) filter the service lists the compute
        category; without C(removed) only resources still present.
    type: dict
    default: {}
  group_by:
    description:
      - Groups the service builds, each a group per value. C(provider), C(resource_type),
        C(region), C(availability_zone), C(os_type), C(state), C(organization), C(cluster),
        C(inventory_group), or C(tag:<key>).
    type: list
    elements: str
    default: []
  hostvars_prefix:
    description: Prefix of the resource's fields among the host variables.
    type: str
    default: inventory_
  hostnames:
    description: What names a host.
    type: str
    choices: ['name', 'fqdn', 'id']
    default: name
  timeout:
    description: Seconds to wait for the service.
    type: int
    default: 120
"""

EXAMPLES = r"""
# prod.inventory_platform.yml
plugin: inventory_platform.inventory.resources
url: https://inventory.example.com
# token, or username and password, from INVENTORY_PLATFORM_TOKEN / _USERNAME / _PASSWORD
query_filters:
  resource_type: virtual_machine
  state: running
  tag: env=production
group_by:
  - cluster
  - tag:app
keyed_groups:
  - key: inventory_os_type
    prefix: os
  - key: inventory_tags.team | default('none')
    prefix: team
compose:
  ansible_user: "'Administrator' if inventory_os_type == 'windows' else 'cloud-user'"
groups:
  big_vms: inventory_cpu_count >= 8
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/inventory_platform_cache
cache_timeout: 600
"""

import json

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlencode
from ansible.module_utils.urls import open_url
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

RESERVED = ("_meta", "all", "ungrouped")


def inventory_url(base):
    """The /ansible-inventory/ endpoint of a service root or API base URL."""
    base = base.strip().rstrip("/")
    if base.endswith("/ansible-inventory"):
        return base + "/"
    if base.endswith("/api/inventory/v1") or base.endswith("/api/v1"):
        return base + "/ansible-inventory/"
    return base + "/api/inventory/v1/ansible-inventory/"


def query_pairs(filters, group_by, prefix, hostnames):
    """The query string's (name, value) pairs; lists repeat a parameter, booleans are true/false."""
    pairs = []
    for name in sorted(filters or {}):
        values = filters[name]
        if not isinstance(values, (list, tuple)):
            values = [values]
        for value in values:
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif value is None:
                value = ""
            pairs.append((to_native(name), to_native(value)))
    for key in group_by or []:
        pairs.append(("group_by", to_native(key)))
    pairs.append(("hostvars_prefix", to_native(prefix)))
    pairs.append(("hostname", to_native(hostnames)))
    return pairs


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "inventory_platform.inventory.resources"

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        return path.endswith(("inventory_platform.yml", "inventory_platform.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)

        url = inventory_url(self.get_option("url"))
        query = urlencode(
            query_pairs(
                self.get_option("query_filters"),
                self.get_option("group_by"),
                self.get_option("hostvars_prefix"),
                self.get_option("hostnames"),
            )
        )
        # The cache key covers what is asked, not only the file: another service or filter is another inventory.
        cache_key = self.get_cache_key(path + "|" + url + "?" + query)
        use_cache = self.get_option("cache")
        data = None
        update_cache = False
        if use_cache and cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                update_cache = True
        elif use_cache:
            update_cache = True
        if data is None:
            data = self._fetch(url + "?" + query)
        if update_cache:
            self._cache[cache_key] = data
        self._populate(data)

    def _fetch(self, url):
        headers = {"Accept": "application/json"}
        token = self.get_option("token")
        username = self.get_option("username")
        password = self.get_option("password")
        kwargs = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        elif username:
            if password is None:
                raise AnsibleParserError("inventory_platform: username needs a password (or INVENTORY_PLATFORM_PASSWORD).")
            kwargs = dict(url_username=username, url_password=password, force_basic_auth=True)
        else:
            raise AnsibleParserError(
                "inventory_platform: give token (INVENTORY_PLATFORM_TOKEN) or username and password "
                "(INVENTORY_PLATFORM_USERNAME, INVENTORY_PLATFORM_PASSWORD)."
            )
        try:
            response = open_url(
                url,
                method="GET",
                headers=headers,
                validate_certs=self.get_option("validate_certs"),
                timeout=self.get_option("timeout"),
                **kwargs
            )
            body = response.read()
        except HTTPError as e:
            detail = ""
            try:
                detail = json.loads(to_text(e.read())).get("detail", "")
            except Exception:
                pass
            raise AnsibleParserError(
                "inventory_platform: %s answered %s%s" % (url.split("?")[0], e.code, (": " + detail) if detail else "")
            )
        except (URLError, OSError) as e:
            raise AnsibleParserError("inventory_platform: cannot reach %s: %s" % (url.split("?")[0], to_native(e)))
        try:
            data = json.loads(to_text(body, errors="surrogate_or_strict"))
        except ValueError as e:
            raise AnsibleParserError("inventory_platform: the answer is not JSON: %s" % to_native(e))
        if not isinstance(data, dict) or not isinstance(data.get("_meta", {}).get("hostvars"), dict):
            raise AnsibleParserError("inventory_platform: the answer is not an inventory (no _meta.hostvars).")
        return data

    def _populate(self, data):
        hostvars = data["_meta"]["hostvars"]
        strict = self.get_option("strict")
        for host, variables in hostvars.items():
            self.inventory.add_host(host)
            for name, value in (variables or {}).items():
                self.inventory.set_variable(host, name, value)
        for name, group in data.items():
            if name in RESERVED or not isinstance(group, dict):
                continue
            group_name = self.inventory.add_group(self._sanitize_group_name(name))
            for host in group.get("hosts") or []:
                self.inventory.add_host(host, group=group_name)
            for var, value in (group.get("vars") or {}).items():
                self.inventory.set_variable(group_name, var, value)
        for name, group in data.items():
            if name in RESERVED or not isinstance(group, dict):
                continue
            for child in group.get("children") or []:
                self.inventory.add_group(self._sanitize_group_name(child))
                self.inventory.add_child(self._sanitize_group_name(name), self._sanitize_group_name(child))
        for host, variables in hostvars.items():
            variables = variables or {}
            try:
                # Composed variables may feed the groups, as in Ansible's own cloud plugins.
                self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
                variables = self.inventory.get_host(host).get_vars()
                self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
                self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)
            except AnsibleError as e:
                raise AnsibleParserError("inventory_platform: host %s: %s" % (host, to_native(e)))
