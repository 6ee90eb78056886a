package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
)

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	from := "sqlite://" + filepath.Join(dir, "from.db")
	to := "sqlite://" + filepath.Join(dir, "to.db")
	src, err := client.Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	camp, err := src.CreateCampaign(ctx, canonical.Campaign{Name: "Spring", Status: canonical.CampaignActive, Qualification: canonical.QualifyOnSignup})
	if err != nil {
		t.Fatal(err)
	}
	ann, _, err := src.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp.ID, Email: "ann@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.CreateParticipant(ctx, canonical.NewParticipant{Participant: canonical.Participant{CampaignID: camp.ID, Email: "bo@example.com"},
		Referrer: canonical.ByID(ann.ID)}); err != nil {
		t.Fatal(err)
	}
	src.Close()

	state, report := filepath.Join(dir, "state"), filepath.Join(dir, "report.json")
	args := []string{"migrate", "--from", from, "--to", to, "--state", state, "--report", report}
	var out, errOut bytes.Buffer
	if err := run(ctx, args, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "participants") || !strings.Contains(out.String(), "Migration engine → engine") {
		t.Fatalf("report on stdout:\n%s", out.String())
	}
	var rep struct {
		Entities []struct {
			Entity                         string
			Read, Written, Skipped, Failed int
		}
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Entities {
		if e.Entity == "participants" && (e.Read != 2 || e.Written != 2) {
			t.Fatalf("JSON report participants: %+v", e)
		}
	}
	if _, err := os.Stat(filepath.Join(state, "idmap.jsonl")); err != nil {
		t.Fatalf("no ID map: %v", err)
	}

	// Again: it resumes from the map and writes nothing.
	out.Reset()
	errOut.Reset()
	if err := run(ctx, args, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "resuming: 3 entities already moved") {
		t.Fatalf("second run did not resume: %q", errOut.String())
	}
	if err := run(ctx, []string{"migrate", "--from", from}, &out, &errOut); err == nil {
		t.Fatal("migrate without --to succeeded")
	}
}
