package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

const childEnv = "REFBRIDGE_SQLITE_CRASH_CHILD"

// TestAcknowledgedWritesSurviveKill runs a child process that writes
// participants and acknowledges each committed write on stdout, kills it
// with SIGKILL mid-stream, and checks that every acknowledged write is in
// the reopened database.
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	t.Parallel()
	if os.Getenv(childEnv) != "" {
		t.Skip("running as the crash child")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if email, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
			acked = append(acked, email)
			if len(acked) == 300 {
				break
			}
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("child acknowledged only %d writes", len(acked))
	}
	s, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(context.Background(), func(tx store.Tx) error {
		for _, email := range acked {
			if _, err := tx.FindParticipant(context.Background(), 1, 1, "email", email); err != nil {
				t.Errorf("acknowledged %s lost: %v", email, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCrashChild is the child of TestAcknowledgedWritesSurviveKill; it
// writes until it is killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("only runs as the crash child")
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		a := canonical.Account{Name: "crash"}
		if err := tx.InsertAccount(ctx, &a); err != nil {
			return err
		}
		c := canonical.Campaign{Name: "crash", Status: canonical.CampaignActive}
		return tx.InsertCampaign(ctx, 1, &c)
	})
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		email := "p" + strconv.Itoa(i) + "@example.com"
		err := s.Update(ctx, func(tx store.Tx) error {
			ord, err := tx.NextOrdinal(ctx, 1, 1)
			if err != nil {
				return err
			}
			p := store.Participant{Ord: ord}
			p.CampaignID, p.Email = "1", email
			return tx.InsertParticipant(ctx, 1, &p)
		})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "ACK %s\n", email)
		w.Flush()
	}
}
