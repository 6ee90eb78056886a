package client_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 17's target for a GrowSurf-only program (MB = 10^6 bytes).
const (
	targetPackages = 120
	targetBytes    = 12_000_000
)

// Regression ceilings: today's figures (238 packages, 11.7 MB with Go
// 1.26 on linux/amd64) plus a small margin; the size ceiling is issue 17's
// target. Before: 294 packages and 35.3 MB when client imported every
// backend, 237 and 17.8 MB with the opener packages, when a reflect.Method
// call in canonical kept every generated client method and the adapter's
// init linked its spec loader.
const (
	ceilingPackages = 242
	ceilingBytes    = targetBytes
)

// TestSDKSize builds testdata/sizeprobe, a program that only opens
// growsurf://, and prints what it links: the packages `go list -deps`
// counts and the binary's size. It fails when the program links a
// package of the proxy, another vendor or a SQL driver, or grows past
// the ceilings (the size ceiling is issue 17's target; its package count is
// reported, not enforced: see the README's SDK section). Run it with
//
//	go test ./client -run TestSDKSize -v
func TestSDKSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program; skipped with -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	t.Parallel()
	const probe = "./testdata/sizeprobe"
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{if .Standard}}std{{end}} {{.ImportPath}}", probe).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", probe, err, out)
	}
	var total, std int
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		total++
		kind, path, _ := strings.Cut(strings.TrimSpace(line), " ")
		if kind == "std" {
			std++
		}
		for _, banned := range []string{"github.com/refbridge/refbridge/proxy", "modernc.org/sqlite", "github.com/jackc/pgx",
			"github.com/refbridge/refbridge/adapters/irefer", "github.com/refbridge/refbridge/adapters/referral",
			"github.com/refbridge/refbridge/adapters/rewardful"} {
			if strings.HasPrefix(path, banned) {
				t.Errorf("the GrowSurf-only program links %s", path)
			}
		}
	}
	bin := filepath.Join(t.TempDir(), "sizeprobe")
	if out, err := exec.Command(gobin, "build", "-o", bin, probe).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", probe, err, out)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	// The blank import registered growsurf://; opening makes no request.
	if out, err := exec.Command(bin).CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "growsurf" {
		t.Errorf("sizeprobe: %v, printed %q, want growsurf", err, out)
	}
	mb := float64(fi.Size()) / 1e6
	t.Logf("GrowSurf-only program: %d packages (%d standard, %d not), %d bytes (%.1f MB)", total, std, total-std, fi.Size(), mb)
	t.Logf("issue 17 target: ≤ %d packages (%s), ≤ %d MB (%s)", targetPackages, met(total <= targetPackages), targetBytes/1_000_000, met(fi.Size() <= targetBytes))
	if total > ceilingPackages {
		t.Errorf("%d packages, over the ceiling of %d", total, ceilingPackages)
	}
	if fi.Size() > ceilingBytes {
		t.Errorf("%.2f MB, over the ceiling of %.1f MB", mb, float64(ceilingBytes)/1e6)
	}
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}
