package compute

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// VolumeAttach is openstack_compute_volume_attach_v2: a Cinder volume
// attached to a server through Nova. Its ID is "<instance_id>/<volume_id>".
// An attachment holds no ownership mark and needs none: it is known by its
// two ends, so after a lost create answer the volume attached to the
// server is the attachment made (findVolumeAttach).
func VolumeAttach() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_compute_volume_attach_v2",
		Description: "Attaches a volume to a server.",
		Timeouts:    &osfw.Timeouts{Create: 10 * time.Minute, Delete: 10 * time.Minute},
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"region":      region(),
				"instance_id": {Type: str, Required: true, ForceNew: true},
				"volume_id":   {Type: str, Required: true, ForceNew: true},
				"device":      fnCStr(),
				"multiattach": {Type: cty.Bool, Optional: true, ForceNew: true},
				"tag":         fnStr(),
			},
			BlockTypes: map[string]*plugins.NestedBlock{
				"vendor_options": {Nesting: plugins.NestingSet, MaxItems: 1, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
					"ignore_volume_confirmation": boolFals(),
				}}},
			},
		},
		Create:   createVolumeAttach,
		Read:     readVolumeAttach,
		ReadMany: readVolumeAttaches,
		Delete:   deleteVolumeAttach,
		Find:     findVolumeAttach,
		Adopted:  adoptedVolumeAttach,
		Plan: func(_ context.Context, _ *osfw.Client, p *osfw.PlanData) error {
			osfw.KeepEmptyBlocks(p, "vendor_options")
			return nil
		},
	}
}

func attachIDs(id string) (string, string, error) {
	parts := strings.SplitN(id, "/", 2)
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", fmt.Errorf("invalid volume attachment ID %q: want <instance_id>/<volume_id>", id)
	}
	return parts[0], parts[1], nil
}

func ignoreVolumeConfirmation(d *osfw.Data) bool {
	for _, v := range d.Blocks("vendor_options") {
		return v.Bool("ignore_volume_confirmation")
	}
	return false
}

func createVolumeAttach(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	mv := ""
	if d.Bool("multiattach") {
		mv = "2.64" // multiattach needs 2.60
	}
	sc, err := nova(c, mv)
	if err != nil {
		return err
	}
	instanceID, volumeID := d.String("instance_id"), d.String("volume_id")
	body := map[string]any{"volumeId": volumeID}
	if dev := d.String("device"); dev != "" {
		body["device"] = dev
	}
	if tag := d.String("tag"); tag != "" {
		body["tag"] = tag
	}
	var out struct {
		VolumeAttachment struct {
			ID string `json:"id"`
		} `json:"volumeAttachment"`
	}
	if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", instanceID, "os-volume_attachments"), map[string]any{"volumeAttachment": body}, &out, http.StatusOK); err != nil {
		return err
	}
	d.SetID(instanceID + "/" + volumeID)
	if ignoreVolumeConfirmation(d) {
		return nil
	}
	return waitVolume(ctx, c, volumeID, "attaching volume "+volumeID+" to server "+instanceID, d.Timeout("create"), "in-use")
}

// findVolumeAttach looks for the attachment of the volume to the server.
func findVolumeAttach(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	sc, err := nova(c, "")
	if err != nil {
		return false, err
	}
	instanceID, volumeID := d.String("instance_id"), d.String("volume_id")
	err = call(ctx, sc, http.MethodGet, sc.ServiceURL("servers", instanceID, "os-volume_attachments", volumeID), nil, nil, http.StatusOK)
	if osfw.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	d.SetID(instanceID + "/" + volumeID)
	return true, nil
}

// adoptedVolumeAttach waits, as the create would have, for an attachment
// found in place of a create to be in use.
func adoptedVolumeAttach(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	if ignoreVolumeConfirmation(d) {
		return nil
	}
	instanceID, volumeID, err := attachIDs(d.ID())
	if err != nil {
		return err
	}
	return waitVolume(ctx, c, volumeID, "attaching volume "+volumeID+" to server "+instanceID, d.Timeout("create"), "in-use")
}

// waitVolume waits for a Cinder volume's status.
func waitVolume(ctx context.Context, c *osfw.Client, volumeID, what string, timeout time.Duration, target ...string) error {
	bs, err := c.Service(osfw.BlockStorage)
	if err != nil {
		return err
	}
	return osfw.Wait(ctx, what, timeout, target, []string{"error_attaching", "error_detaching"}, func(ctx context.Context) (osfw.Poll, error) {
		var out struct {
			Volume struct {
				Status string `json:"status"`
			} `json:"volume"`
		}
		if err := call(ctx, bs, http.MethodGet, bs.ServiceURL("volumes", volumeID), nil, &out, http.StatusOK); err != nil {
			return osfw.Poll{}, err
		}
		return osfw.Poll{Status: out.Volume.Status}, nil
	})
}

func readVolumeAttach(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	instanceID, volumeID, err := attachIDs(d.ID())
	if err != nil {
		return err
	}
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	var out struct {
		VolumeAttachment struct {
			ServerID string `json:"serverId"`
			VolumeID string `json:"volumeId"`
			Device   string `json:"device"`
			Tag      string `json:"tag"`
		} `json:"volumeAttachment"`
	}
	if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("servers", instanceID, "os-volume_attachments", volumeID), nil, &out, http.StatusOK); err != nil {
		return err
	}
	d.Set("instance_id", instanceID)
	d.Set("volume_id", volumeID)
	d.Set("device", out.VolumeAttachment.Device)
	if out.VolumeAttachment.Tag != "" {
		d.Set("tag", out.VolumeAttachment.Tag)
	}
	d.Set("region", c.Endpoint.Region)
	return nil
}

// readVolumeAttaches refreshes attachments with one list of the project's
// servers, which name their attached volumes; the device comes from the
// state (an attachment without one is read alone).
func readVolumeAttaches(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	attached := map[string]map[string]bool{}
	err = eachPage(ctx, sc, sc.ServiceURL("servers", "detail"), "servers_links", func(p pagination.Page) error {
		var body struct {
			Servers []struct {
				ID      string `json:"id"`
				Volumes []struct {
					ID string `json:"id"`
				} `json:"os-extended-volumes:volumes_attached"`
			} `json:"servers"`
		}
		if err := p.(linkedPage).ExtractInto(&body); err != nil {
			return err
		}
		for _, s := range body.Servers {
			m := map[string]bool{}
			for _, v := range s.Volumes {
				m[v.ID] = true
			}
			attached[s.ID] = m
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range ds {
		instanceID, volumeID, err := attachIDs(d.ID())
		if err != nil {
			return err
		}
		vols, listed := attached[instanceID]
		if listed && vols[volumeID] && d.Known("device") {
			d.Set("region", c.Endpoint.Region)
			continue
		}
		if listed && !vols[volumeID] {
			d.MarkGone()
			continue
		}
		if err := readVolumeAttach(ctx, c, d); err != nil {
			if osfw.IsNotFound(err) {
				d.MarkGone()
				continue
			}
			return err
		}
	}
	return nil
}

func deleteVolumeAttach(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	instanceID, volumeID, err := attachIDs(d.ID())
	if err != nil {
		return err
	}
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	if err := call(ctx, sc, http.MethodDelete, sc.ServiceURL("servers", instanceID, "os-volume_attachments", volumeID), nil, nil, http.StatusAccepted); err != nil {
		if osfw.StatusOf(err) == http.StatusConflict && strings.Contains(osfw.APIMessage(err), "task_state deleting") {
			// The server is being deleted, which detaches the volume.
			err = waitVolume(ctx, c, volumeID, "detaching volume "+volumeID+" from deleted server "+instanceID, d.Timeout("delete"), "available", "deleted")
		}
		return err
	}
	// Wait until Nova no longer lists the attachment and the volume is
	// free again.
	err = osfw.Wait(ctx, "detaching volume "+volumeID+" from server "+instanceID, d.Timeout("delete"), []string{"deleted"}, nil, func(ctx context.Context) (osfw.Poll, error) {
		err := call(ctx, sc, http.MethodGet, sc.ServiceURL("servers", instanceID, "os-volume_attachments", volumeID), nil, &struct{}{}, http.StatusOK)
		if err != nil {
			return osfw.Poll{}, err
		}
		return osfw.Poll{Status: "attached"}, nil
	})
	if err != nil {
		return err
	}
	if ignoreVolumeConfirmation(d) || d.Bool("multiattach") {
		return nil
	}
	err = waitVolume(ctx, c, volumeID, "detaching volume "+volumeID, d.Timeout("delete"), "available", "deleted")
	if osfw.IsNotFound(err) {
		return nil
	}
	return err
}
