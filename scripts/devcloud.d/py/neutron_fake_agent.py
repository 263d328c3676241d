"""Register an always-alive Open vSwitch agent for the devcloud's compute
host in neutron's database, so that ML2/openvswitch binds ports
(vif_type=ovs) without a real agent and nova boots servers on networks.

usage: neutron_fake_agent.py DB_URL HOST
"""
import json
import sys
import uuid

import sqlalchemy as sa

url, host = sys.argv[1], sys.argv[2]
conf = {
    "bridge_mappings": {"public": "br-ex", "physnet1": "br-vlan"},
    "tunnel_types": ["vxlan"], "tunneling_ip": "127.0.0.1",
    "integration_bridge": "br-int", "datapath_type": "system",
    "ovs_hybrid_plug": False,
    "ovs_capabilities": {"datapath_types": ["system"], "iface_types": []},
    "l2_population": False, "arp_responder_enabled": False,
    "enable_distributed_routing": False, "devices": 0,
}
with sa.create_engine(url).begin() as c:
    c.execute(sa.text("DELETE FROM agents WHERE host=:h AND agent_type='Open vSwitch agent'"), {"h": host})
    # heartbeat far in the future: the agent never counts as dead
    c.execute(sa.text(
        "INSERT INTO agents (id, agent_type, `binary`, topic, host, availability_zone, admin_state_up,"
        " created_at, started_at, heartbeat_timestamp, description, configurations, resource_versions,"
        " `load`, resources_synced)"
        " VALUES (:id, 'Open vSwitch agent', 'neutron-openvswitch-agent', 'N/A', :h, NULL, 1,"
        " '2020-01-01 00:00:00', '2020-01-01 00:00:00', '2099-01-01 00:00:00', 'devcloud fake agent',"
        " :conf, NULL, 0, 1)"),
        {"id": str(uuid.uuid4()), "h": host, "conf": json.dumps(conf)})
print("neutron: fake Open vSwitch agent registered for host", host)
