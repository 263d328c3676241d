package baseline

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// Rule packs.
const (
	packNetwork        = "network"
	packData           = "data"
	packIdentity       = "identity"
	packClassification = "classification"
	packDestruction    = "destruction"
)

// rule is a rule and its check.
type rule struct {
	plugins.PolicyRule
	check func(c *checker)
}

// severities builds a rule's severities by profile.
func severities(ordinario, critico, strategico string) map[string]string {
	return map[string]string{
		plugins.ProfileOrdinario:  ordinario,
		plugins.ProfileCritico:    critico,
		plugins.ProfileStrategico: strategico,
	}
}

const (
	sevError = plugins.PolicySeverityError
	sevWarn  = plugins.PolicySeverityWarning
)

// rules are every rule of the provider, in the order they are checked and
// listed.
var rules = []*rule{
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-NET-001", Pack: packNetwork,
		Title:     "No ingress to administration or database ports from outside the admin networks",
		Rationale: "Remote administration and database ports open to the Internet are the first thing attackers scan for and brute-force.",
		Control:   "AgID ABSC 3.1.1, ABSC 5.1.1 (Circolare AgID 2/2017)",
		Severity:  severities(sevError, sevError, sevError),
	}, check: checkAdminPorts},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-NET-002", Pack: packNetwork,
		Title:     "Security groups have a description",
		Rationale: "A firewall policy nobody can explain cannot be reviewed; the description records what the group is for.",
		Control:   "AgID ABSC 3.2.1 (Circolare AgID 2/2017)",
		Severity:  severities(sevWarn, sevError, sevError),
	}, check: checkSecGroupDescription},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-NET-003", Pack: packNetwork,
		Title:     "Ports and instances of critico or strategico data are not directly on an external network",
		Rationale: "A system holding critico data attached straight to a public network bypasses the perimeter; expose it through a router or a load balancer.",
		Control:   "AgID ABSC 3.1.1, ABSC 13.1.1 (Circolare AgID 2/2017)",
		Severity:  severities(sevError, sevError, sevError),
	}, check: checkExternalNetwork},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-DATA-001", Pack: packData,
		Title:     "Volumes of critico or strategico data use an encrypted volume type",
		Rationale: "Data at rest on shared storage must stay unreadable to whoever gets the disks or the backend.",
		Control:   "AgID ABSC 13.2.1 (Circolare AgID 2/2017)",
		Severity:  severities(sevError, sevError, sevError),
	}, check: checkVolumeEncryption},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-DATA-002", Pack: packData,
		Title:     "Volumes of critico or strategico data are backed up",
		Rationale: "Without a backup or snapshot a deleted or corrupted volume, or ransomware, loses the data for good.",
		Control:   "AgID ABSC 10.1.1 (Circolare AgID 2/2017)",
		Severity:  severities(sevWarn, sevError, sevError),
	}, check: checkVolumeBackup},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-DATA-003", Pack: packData,
		Title:     "Object storage containers of critico or strategico data keep object versions",
		Rationale: "Versioning keeps earlier versions of overwritten or deleted objects, so a mistake or an attack can be undone.",
		Control:   "AgID ABSC 10.1.1 (Circolare AgID 2/2017)",
		Severity:  severities(sevWarn, sevError, sevError),
	}, check: checkContainerVersioning},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-DATA-004", Pack: packData,
		Title:     "Object storage containers of critico or strategico data are not publicly readable",
		Rationale: "A .r:* read ACL lets anyone on the Internet download the container's objects without credentials.",
		Control:   "AgID ABSC 13.1.1 (Circolare AgID 2/2017)",
		Severity:  severities(sevError, sevError, sevError),
	}, check: checkContainerPublicRead},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-IAM-001", Pack: packIdentity,
		Title:     "No plaintext passwords in the configuration",
		Rationale: "A password written in the configuration ends up in version control, plan files and logs; take it from a sensitive variable.",
		Control:   "AgID ABSC 5.11.1 (Circolare AgID 2/2017)",
		Severity:  severities(sevWarn, sevError, sevError),
	}, check: checkPlaintextPasswords},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-IAM-002", Pack: packIdentity,
		Title:     "Application credentials expire",
		Rationale: "A credential without expiry outlives the automation it was made for and stays valid when it leaks.",
		Control:   "AgID ABSC 5.7.3 (Circolare AgID 2/2017)",
		Severity:  severities(sevWarn, sevError, sevError),
	}, check: checkCredentialExpiry},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-IAM-003", Pack: packIdentity,
		Title:     "The admin role is not assigned to users on projects",
		Rationale: "The admin role is cloud-wide in Keystone; granting it to a user on a project gives that user the whole cloud.",
		Control:   "AgID ABSC 5.1.1, ABSC 5.1.2 (Circolare AgID 2/2017)",
		Severity:  severities(sevWarn, sevError, sevError),
	}, check: checkAdminRole},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-CLS-001", Pack: packClassification,
		Title:     "Resources carry the ente and classification tags",
		Rationale: "The inventory must say which public body owns each resource and how sensitive its data is; the other rules rely on it.",
		Control:   "AgID ABSC 1.1.1 (Circolare AgID 2/2017); ACN classification of data and services (Regolamento ACN cloud PA, D.D. n. 21007/24)",
		Severity:  severities(sevWarn, sevError, sevError),
	}, check: checkClassificationTags},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-CLS-002", Pack: packClassification,
		Title:     "Data classification does not exceed the target cloud's qualification",
		Rationale: "ACN qualifies cloud services for data up to a level: ordinario needs QC1, critico QC2, strategico QC4 or the PSN.",
		Control:   "ACN qualification levels QC1-QC4 for ordinari, critici, strategici data (Regolamento ACN cloud PA, D.D. n. 21007/24)",
		Severity:  severities(sevError, sevError, sevError),
	}, check: checkQualification},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-CLS-003", Pack: packClassification,
		Title:     "Resources stay in the target cloud's regions",
		Rationale: "The qualification covers the regions of the qualified service; a resource elsewhere is outside it, and possibly outside Italy.",
		Control:   "ACN qualified cloud services only (Regolamento ACN cloud PA, D.D. n. 21007/24)",
		Severity:  severities(sevError, sevError, sevError),
	}, check: checkRegion},
	{PolicyRule: plugins.PolicyRule{
		ID: "NV-DEST-001", Pack: packDestruction,
		Title:     "No destruction or replacement of stored critico or strategico data",
		Rationale: "Deleting or replacing a volume, backup, snapshot or container of critico data loses it; it needs a recorded waiver.",
		Control:   "AgID ABSC 10.1.1, ABSC 13.1.1 (Circolare AgID 2/2017)",
		Severity:  severities(sevError, sevError, sevError),
	}, check: checkDestruction},
}

// checker runs one rule over a plan.
type checker struct {
	s        *settings
	p        *plan
	rule     *rule
	findings []plugins.PolicyFinding
}

// report records a finding of the running rule about r (nil for one about
// the baseline itself) at path, unless the profile turns the rule off.
func (c *checker) report(r *resource, path cty.Path, format string, args ...any) {
	sev := c.rule.Severity[c.s.profile]
	if sev != sevError && sev != sevWarn {
		return
	}
	f := plugins.PolicyFinding{
		RuleID:   c.rule.ID,
		Severity: sev,
		Path:     path,
		Message:  fmt.Sprintf(format, args...),
		Control:  c.rule.Control,
	}
	if r != nil {
		f.Address = r.address
	}
	c.findings = append(c.findings, f)
}
