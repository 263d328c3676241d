// Package acctest is nuvola's harness for acceptance tests against a real
// OpenStack, normally the devcloud that scripts/devcloud brings up on
// 127.0.0.1.
//
// It owns: finding and reading the clouds.yaml (OS_CLIENT_CONFIG_FILE and
// OS_CLOUD, else the devcloud's own file under NUVOLA_DEVCLOUD_DIR or
// /var/tmp/nuvola-devcloud), skipping a test cleanly when NUVOLA_ACC is not
// set, authenticated gophercloud service clients per cloud, a random name
// prefix per test (acc-<8 hex>-) and the sweep that deletes whatever carries
// that prefix when the test ends, in every service and every project.
//
// Its own tests prove the devcloud before nuvola's OpenStack provider relies
// on it: authentication with a password and with an application credential,
// projects, networks with subnets and routers, security groups, volumes,
// Swift, Glance and servers, a concurrency test, and (with
// NUVOLA_ACC_DEVCLOUD_LIFECYCLE=1) the script's up/down/reset lifecycle.
//
// It may import gophercloud, testify and the standard library; nothing from
// engine/, plugins/, hcl/ or cmd/.
package acctest
