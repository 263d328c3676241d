"""What the estate costs the cloud, whoever the client: the CPU seconds
Neutron's API worker spends on each call the estate needs, made one at a
time on an otherwise idle devcloud, and the sum for 20 municipalities.

With a single API worker (as the devcloud runs it), no client can apply or
destroy the estate in less wall time than that sum: every Neutron call
runs on that one process.

Run by `bash bench/openstack.sh floor`; reads the credentials of an openrc
file (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, domains) from
the environment. Knobs: FLOOR_N (objects of each kind measured, default 5),
FLOOR_COMUNI (municipalities in the sum, default 20).
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request

HZ = os.sysconf("SC_CLK_TCK")
N = int(os.environ.get("FLOOR_N", "5"))
COMUNI = int(os.environ.get("FLOOR_COMUNI", "20"))
PREFIX = "floor%d-" % os.getpid()


def call(method, url, body=None, token=None, want_headers=False):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Auth-Token"] = token
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, method=method, data=data, headers=headers)
    with urllib.request.urlopen(req) as resp:
        raw = resp.read()
        out = json.loads(raw) if raw else None
        return (out, resp.headers) if want_headers else out


def authenticate():
    env = os.environ
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": env["OS_USERNAME"], "password": env["OS_PASSWORD"],
            "domain": {"name": env.get("OS_USER_DOMAIN_NAME", "Default")}}}},
        "scope": {"project": {"name": env["OS_PROJECT_NAME"],
                              "domain": {"name": env.get("OS_PROJECT_DOMAIN_NAME", "Default")}}}}}
    out, headers = call("POST", env["OS_AUTH_URL"].rstrip("/") + "/auth/tokens", body, want_headers=True)
    for entry in out["token"]["catalog"]:
        if entry["type"] == "network":
            for ep in entry["endpoints"]:
                if ep["interface"] == "public":
                    return headers["X-Subject-Token"], ep["url"].rstrip("/") + "/v2.0/"
    sys.exit("floor: no network endpoint in the catalog")


def api_worker_cpu():
    """CPU seconds of the processes titled as Neutron's API worker."""
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" ")
            if b"neutron-server: api worker" not in cmd:
                continue
            stat = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(stat[11]) + int(stat[12])) / HZ
    return total


def cleanup(req):
    """Deletes what a run that stopped half-way left behind."""
    for r in req("GET", "routers")["routers"]:
        if r["name"].startswith(PREFIX):
            for p in req("GET", "ports?device_id=" + r["id"])["ports"]:
                if p["device_owner"] == "network:router_interface":
                    try:
                        req("PUT", "routers/%s/remove_router_interface" % r["id"], {"port_id": p["id"]})
                    except urllib.error.HTTPError:
                        pass
            req("DELETE", "routers/" + r["id"])
    for kind, key in (("security-groups", "security_groups"), ("networks", "networks")):
        for o in req("GET", kind)[key]:
            if o["name"].startswith(PREFIX):
                req("DELETE", "%s/%s" % (kind, o["id"]))


def main():
    token, net = authenticate()
    if api_worker_cpu() == 0:
        sys.exit("floor: no 'neutron-server: api worker' process on this machine; run it beside the devcloud")

    def req(method, path, body=None):
        return call(method, net + path, body, token)

    try:
        measure_all(req)
    finally:
        cleanup(req)


def measure_all(req):
    costs = {}

    def measure(name, items, fn):
        before = api_worker_cpu()
        out = [fn(i, it) for i, it in enumerate(items)]
        costs[name] = (api_worker_cpu() - before) / max(len(items), 1)
        print("| %s | %.3f |" % (name, costs[name]))
        return out

    public = req("GET", "networks?router:external=true")["networks"][0]["id"]
    print("| call (one at a time) | Neutron CPU s |\n|---|---|")
    idx = list(range(N))
    nets = measure("POST network", idx, lambda i, _: req("POST", "networks", {"network": {"name": PREFIX + str(i)}})["network"]["id"])
    measure("PUT tags", nets, lambda i, n: req("PUT", "networks/%s/tags" % n, {"tags": ["classification=ordinario"]}))
    subs = measure("POST subnet", nets, lambda i, n: req("POST", "subnets", {"subnet": {
        "network_id": n, "cidr": "10.%d.0.0/24" % (200 + i), "ip_version": 4}})["subnet"]["id"])
    routers = measure("POST router with gateway", idx, lambda i, _: req("POST", "routers", {"router": {
        "name": PREFIX + str(i), "external_gateway_info": {"network_id": public}}})["router"]["id"])
    measure("PUT add_router_interface", routers, lambda i, r: req("PUT", "routers/%s/add_router_interface" % r, {"subnet_id": subs[i]}))
    groups = measure("POST security group", idx, lambda i, _: req("POST", "security-groups", {"security_group": {"name": PREFIX + str(i)}})["security_group"]["id"])

    def rules(group, ports):
        return [{"security_group_id": group, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
                 "port_range_min": p, "port_range_max": p, "remote_ip_prefix": "10.0.0.0/8"} for p in ports]
    made = measure("POST 2-3 rules in bulk", groups, lambda i, g: req("POST", "security-group-rules", {
        "security_group_rules": rules(g, [22, 80, 443][: 2 + i % 2])})["security_group_rules"])
    rule_ids = [r["id"] for batch in made for r in batch]
    measure("DELETE rule", rule_ids, lambda i, r: req("DELETE", "security-group-rules/" + r))
    measure("DELETE security group", groups, lambda i, g: req("DELETE", "security-groups/" + g))
    measure("PUT remove_router_interface", routers, lambda i, r: req("PUT", "routers/%s/remove_router_interface" % r, {"subnet_id": subs[i]}))
    measure("DELETE router", routers, lambda i, r: req("DELETE", "routers/" + r))
    measure("DELETE subnet", subs, lambda i, s: req("DELETE", "subnets/" + s))
    measure("DELETE network", nets, lambda i, n: req("DELETE", "networks/" + n))

    c = costs
    apply = COMUNI * (c["POST network"] + c["POST subnet"] + c["POST router with gateway"] + c["PUT add_router_interface"]
                      + 3 * c["PUT tags"] + 2 * (c["POST security group"] + c["PUT tags"]) + 2 * c["POST 2-3 rules in bulk"])
    destroy = COMUNI * (5 * c["DELETE rule"] + 2 * c["DELETE security group"] + c["PUT remove_router_interface"]
                        + c["DELETE router"] + c["DELETE subnet"] + c["DELETE network"])
    routers_only = COMUNI * (c["POST router with gateway"] + c["PUT add_router_interface"])
    print("\nestate of %d municipalities, Neutron CPU that any client's calls cost (one API worker):" % COMUNI)
    print("| step | Neutron CPU s | of which router gateways and interfaces |\n|---|---|---|")
    print("| apply | %.1f | %.1f |" % (apply, routers_only))
    print("| destroy | %.1f | %.1f |" % (destroy, COMUNI * (c["PUT remove_router_interface"] + c["DELETE router"])))


if __name__ == "__main__":
    main()
