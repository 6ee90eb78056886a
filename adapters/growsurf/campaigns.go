package growsurf

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/refbridge/refbridge/adapters/canonical"
	api "github.com/refbridge/refbridge/client/growsurf"
)

// campaignOf renders a campaign with its counters.
func campaignOf(ctx context.Context, ids *idCodecs, b canonical.Backend, c canonical.Campaign) (campaignOut, error) {
	stats, err := b.CampaignStats(ctx, c.ID)
	if err != nil {
		return campaignOut{}, err
	}
	return toCampaign(ids, c, stats), nil
}

// ListCampaigns implements api.ServerInterface.
func (s *server) ListCampaigns(w http.ResponseWriter, r *http.Request) {
	b := backend(r)
	out := struct {
		Campaigns []campaignOut `json:"campaigns"`
	}{Campaigns: []campaignOut{}}
	opts := canonical.ListOptions{Limit: 100}
	for {
		page, err := b.ListCampaigns(r.Context(), opts)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, c := range page.Items {
			if c.Status == canonical.CampaignDeleted {
				continue
			}
			v, err := campaignOf(r.Context(), s.ids, b, c)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			out.Campaigns = append(out.Campaigns, v)
		}
		if page.NextCursor == "" {
			break
		}
		opts.Cursor = page.NextCursor
	}
	s.ok(w, out)
}

// CreateCampaign implements api.ServerInterface.
func (s *server) CreateCampaign(w http.ResponseWriter, r *http.Request) {
	var in api.CreateCampaignRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := newCampaign(in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b := backend(r)
	created, err := b.CreateCampaign(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := campaignOf(r.Context(), s.ids, b, created)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// GetCampaign implements api.ServerInterface.
func (s *server) GetCampaign(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := campaignOf(c.ctx, s.ids, c.b, c.camp)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// UpdateCampaign implements api.ServerInterface.
func (s *server) UpdateCampaign(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in api.UpdateCampaignRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
		s.fail(w, r, badField("name", "INVALID_NAME", "Name cannot be empty."))
		return
	}
	updated, err := c.b.UpdateCampaign(c.ctx, c.camp.ID, campaignPatch(in))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := campaignOf(c.ctx, s.ids, c.b, updated)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// CloneCampaign implements api.ServerInterface: a DRAFT copy with the
// enabled rewards and the configuration objects, without webhooks.
func (s *server) CloneCampaign(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cp := c.camp
	cp.ID, cp.Status, cp.Name, cp.Rules = "", canonical.CampaignDraft, c.camp.Name+" (copy)", nil
	cp.Native = c.camp.Native.Clone()
	cp.Native.Set(vendor, nWebhooks, nil)
	cp.Native.Set(vendor, nWebhookSeq, nil)
	for _, rule := range c.camp.Rules {
		if rule.Visible {
			rule.ID, rule.CampaignID = "", ""
			cp.Rules = append(cp.Rules, rule)
		}
	}
	created, err := c.b.CreateCampaign(c.ctx, cp)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := campaignOf(c.ctx, s.ids, c.b, created)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, out)
}

// ------------------------------------------------- configuration objects

// config answers GET of a configuration object kept in the campaign's
// native values.
func (s *server) config(w http.ResponseWriter, r *http.Request, id, key string) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, configObject(c.camp, key))
}

func configObject(c canonical.Campaign, key string) map[string]any {
	if raw, ok := c.Native.Get(vendor, key); ok {
		if m, ok := raw.(map[string]any); ok {
			return m
		}
	}
	return map[string]any{}
}

// patchConfig merges the body into a configuration object (objects merge,
// arrays and scalars replace, null removes) and answers the result.
func (s *server) patchConfig(w http.ResponseWriter, r *http.Request, id, key string) {
	c, err := s.open(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in map[string]any
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	merged := mergePatch(configObject(c.camp, key), in)
	var patch canonical.CampaignPatch
	patch.Native.Set(vendor, key, merged)
	if key == nInstallation {
		patch.URL = siteURL(in)
	}
	updated, err := c.b.UpdateCampaign(c.ctx, c.camp.ID, patch)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ok(w, configObject(updated, key))
}

// mergePatch applies a JSON merge patch to a copy of doc.
func mergePatch(doc, patch map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = v
	}
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			base, _ := out[k].(map[string]any)
			out[k] = mergePatch(base, pv)
		default:
			out[k] = v
		}
	}
	return out
}

// siteKeys are the installation keys read as the program's site, on which
// share URLs are built (the installation object's keys are undocumented).
var siteKeys = []string{"shareUrl", "siteUrl", "websiteUrl", "url"}

// siteURL finds an absolute http(s) site URL among an installation patch's
// top-level keys.
func siteURL(in map[string]any) *string {
	for _, k := range siteKeys {
		if v, ok := in[k].(string); ok {
			if u, err := url.Parse(v); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
				return &v
			}
		}
	}
	return nil
}

// GetCampaignDesign implements api.ServerInterface.
func (s *server) GetCampaignDesign(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.config(w, r, id, nDesign)
}

// UpdateCampaignDesign implements api.ServerInterface.
func (s *server) UpdateCampaignDesign(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.patchConfig(w, r, id, nDesign)
}

// GetCampaignEmails implements api.ServerInterface.
func (s *server) GetCampaignEmails(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.config(w, r, id, nEmails)
}

// UpdateCampaignEmails implements api.ServerInterface.
func (s *server) UpdateCampaignEmails(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.patchConfig(w, r, id, nEmails)
}

// GetCampaignOptions implements api.ServerInterface.
func (s *server) GetCampaignOptions(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.config(w, r, id, nOptions)
}

// UpdateCampaignOptions implements api.ServerInterface.
func (s *server) UpdateCampaignOptions(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.patchConfig(w, r, id, nOptions)
}

// GetCampaignInstallation implements api.ServerInterface.
func (s *server) GetCampaignInstallation(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.config(w, r, id, nInstallation)
}

// UpdateCampaignInstallation implements api.ServerInterface.
func (s *server) UpdateCampaignInstallation(w http.ResponseWriter, r *http.Request, id api.CampaignId) {
	s.patchConfig(w, r, id, nInstallation)
}
