"""Idempotent API-level setup of the devcloud, in one python process per
step (dozens of `openstack` CLI calls would cost a minute and more).

usage: setup.py keystone AUTH_URL ADMIN_PASSWORD SERVICE_PASSWORD REGION
       setup.py fixtures AUTH_URL ADMIN_PASSWORD REGION IMAGE_FILE
       setup.py ready    AUTH_URL ADMIN_PASSWORD REGION TIMEOUT_SECONDS

keystone: roles, the service project and users, the two unprivileged
          projects and their users, the service catalog.
fixtures: the external network `public` with a subnet, flavors, the image
          `devcloud-tiny`, the volume types `standard` and `encrypted-luks`.
ready:    waits until the compute host and the volume and backup services report up, and the
          volume scheduler knows a pool.
"""
import sys
import time
import warnings

warnings.filterwarnings("ignore")

from keystoneauth1 import session  # noqa: E402
from keystoneauth1.identity import v3  # noqa: E402

BASE = "http://127.0.0.1"


def admin_session(auth_url, password):
    return session.Session(auth=v3.Password(
        auth_url=auth_url, username="admin", password=password, project_name="admin",
        user_domain_id="default", project_domain_id="default"))


def keystone(auth_url, admin_pw, svc_pw, region):
    from keystoneclient.v3 import client
    ks = client.Client(session=admin_session(auth_url, admin_pw), interface="public")

    def role(name):
        r = ks.roles.list(name=name)
        return r[0] if r else ks.roles.create(name)

    def project(name, desc=""):
        p = ks.projects.list(name=name, domain="default")
        return p[0] if p else ks.projects.create(name, "default", description=desc)

    def user(name, pw, proj):
        u = ks.users.list(name=name, domain="default")
        if u:
            return u[0]
        return ks.users.create(name, domain="default", password=pw, default_project=proj)

    def endpoint(name, stype, urls):
        s = [x for x in ks.services.list(type=stype) if x.name == name]
        s = s[0] if s else ks.services.create(name, type=stype)
        for iface, url in urls.items():
            have = ks.endpoints.list(service=s, interface=iface, region=region)
            if not have:
                ks.endpoints.create(s, url, interface=iface, region=region)
            elif have[0].url != url:
                ks.endpoints.update(have[0], url=url)

    admin_r, member_r, reader_r, service_r = (role(n) for n in ("admin", "member", "reader", "service"))
    role("ResellerAdmin")
    service_p = project("service", "devcloud service users")
    admin_p = project("admin")
    admin_u = ks.users.list(name="admin", domain="default")[0]
    ks.roles.grant(member_r, user=admin_u, project=admin_p)
    for name, desc in (("demo", "unprivileged test project"), ("alt_demo", "second unprivileged test project")):
        p = project(name, desc)
        u = user(name, name, p)
        ks.roles.grant(member_r, user=u, project=p)
        ks.roles.grant(reader_r, user=u, project=p)

    for name in ("neutron", "swift", "glance", "cinder", "placement", "nova"):
        u = user(name, svc_pw, service_p)
        ks.roles.grant(admin_r, user=u, project=service_p)
        ks.roles.grant(service_r, user=u, project=service_p)

    every = ("public", "internal", "admin")
    endpoint("neutron", "network", {i: BASE + ":9696" for i in every})
    endpoint("swift", "object-store", {"public": BASE + ":8080/v1/AUTH_%(project_id)s",
                                       "internal": BASE + ":8080/v1/AUTH_%(project_id)s",
                                       "admin": BASE + ":8080/v1"})
    endpoint("glance", "image", {i: BASE + ":9292" for i in every})
    endpoint("cinderv3", "volumev3", {i: BASE + ":8776/v3/%(project_id)s" for i in every})
    endpoint("cinderv3", "block-storage", {i: BASE + ":8776/v3/%(project_id)s" for i in every})
    endpoint("nova", "compute", {i: BASE + ":8774/v2.1" for i in every})
    endpoint("placement", "placement", {i: BASE + ":8778" for i in every})
    print("keystone: users, projects and catalog ok")


def fixtures(auth_url, admin_pw, region, image_file):
    import openstack
    from cinderclient import client as cinder_client
    sess = admin_session(auth_url, admin_pw)
    conn = openstack.connection.Connection(session=sess, region_name=region)

    net = conn.network.find_network("public")
    if not net:
        net = conn.network.create_network(
            name="public", is_router_external=True, is_shared=False,
            provider_network_type="flat", provider_physical_network="public")
    if not list(conn.network.subnets(network_id=net.id)):
        conn.network.create_subnet(
            network_id=net.id, name="public-subnet", ip_version=4,
            cidr="172.24.4.0/24", gateway_ip="172.24.4.1", is_dhcp_enabled=False,
            allocation_pools=[{"start": "172.24.4.10", "end": "172.24.4.250"}])
    print("neutron: external network public (172.24.4.0/24) ok")

    for name, ram, vcpus, disk in (("m1.tiny", 512, 1, 1), ("m1.small", 2048, 1, 20),
                                   ("m1.medium", 4096, 2, 40)):
        if not conn.compute.find_flavor(name):
            conn.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk, is_public=True)
    print("nova: flavors m1.tiny, m1.small, m1.medium ok")

    if not conn.image.find_image("devcloud-tiny"):
        img = conn.image.create_image(name="devcloud-tiny", disk_format="raw",
                                      container_format="bare", visibility="public")
        with open(image_file, "rb") as f:
            sess.put(BASE + ":9292/v2/images/%s/file" % img.id, data=f.read(),
                     headers={"Content-Type": "application/octet-stream"})
        deadline = time.time() + 60
        while conn.image.get_image(img.id).status != "active":
            if time.time() > deadline:
                sys.exit("glance: image devcloud-tiny did not become active")
            time.sleep(0.5)
    print("glance: image devcloud-tiny ok")

    cc = cinder_client.Client("3", session=sess, region_name=region)
    types = {t.name: t for t in cc.volume_types.list()}
    for name in ("standard", "encrypted-luks"):
        if name not in types:
            types[name] = cc.volume_types.create(name, is_public=True)
            types[name].set_keys({"volume_backend_name": "fake"})
    luks = types["encrypted-luks"]
    if not cc.volume_encryption_types.get(luks) or not getattr(cc.volume_encryption_types.get(luks), "provider", None):
        cc.volume_encryption_types.create(luks, {"provider": "luks", "cipher": "aes-xts-plain64",
                                                 "key_size": 256, "control_location": "front-end"})
    print("cinder: volume types standard, encrypted-luks ok")


def ready(auth_url, admin_pw, region, timeout):
    import openstack
    from cinderclient import client as cinder_client
    sess = admin_session(auth_url, admin_pw)
    conn = openstack.connection.Connection(session=sess, region_name=region)
    cc = cinder_client.Client("3", session=sess, region_name=region)
    deadline = time.time() + timeout
    next_note = time.time() + 10
    need = {"nova-compute", "cinder-volume", "cinder-scheduler", "cinder-backup", "nova-scheduler", "nova-conductor"}
    while True:
        up = set()
        try:
            for s in conn.compute.services():
                if s.state == "up" and s.status == "enabled":
                    up.add(s.binary)
            for s in cc.services.list():
                if s.state == "up" and s.status == "enabled":
                    up.add(s.binary)
            hv = [h for h in conn.compute.hypervisors(details=True) if h.state == "up"]
            # The scheduler places volumes only once the volume service has
            # reported its pool's capacity, some seconds after it is up.
            pools = cc.pools.list() if need <= up else []
        except Exception:  # an API still starting
            up, hv, pools = set(), [], []
        if need <= up and hv and pools:
            print("ready: %s up, hypervisor %s, volume pool %s" % (", ".join(sorted(need)), hv[0].name, pools[0].name))
            return
        if time.time() > next_note:
            print("ready: waiting for %s%s%s" % (", ".join(sorted(need - up)) or "-", "" if hv else ", a hypervisor",
                                                "" if pools else ", a volume pool"), flush=True)
            next_note = time.time() + 10
        if time.time() > deadline:
            sys.exit("not ready after %ss: missing %s%s" % (
                timeout, ", ".join(sorted(need - up)) or "-", "" if hv else ", no hypervisor"))
        time.sleep(1)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "keystone":
        keystone(*args)
    elif cmd == "fixtures":
        fixtures(*args)
    elif cmd == "ready":
        ready(args[0], args[1], args[2], int(args[3]))
    else:
        sys.exit(__doc__)
