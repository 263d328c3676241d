// Package osfwtest is a fake OpenStack cloud for the openstack provider's
// unit tests: an httptest server that issues Keystone tokens whose catalog
// points every service at itself, handlers the test registers per path,
// and drivers that plan, apply, read and import through the provider the
// way the engine does.
//
// It may import osfw, plugins, gophercloud, testify and the standard
// library.
package osfwtest
