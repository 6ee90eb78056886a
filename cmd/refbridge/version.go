package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

const versionUsage = `Usage: refbridge version
       refbridge --version

Prints refbridge's version (the module version "go install …@VERSION"
stamped, or "(devel)" for a build from a work tree), the commit, its time
and whether the work tree had changes when the build recorded them, and the
Go version it was built with.
`

// versionCommand prints the version from the binary's build information.
func versionCommand(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := parseFlags(fs, "version", args, func(w io.Writer) { fmt.Fprint(w, versionUsage) }, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("version", "version takes no arguments, got %q", fs.Args())
	}
	bi, _ := debug.ReadBuildInfo()
	_, err := io.WriteString(stdout, versionText(bi))
	return err
}

// versionText renders build information; bi may be nil (a binary built
// without module support).
func versionText(bi *debug.BuildInfo) string {
	version, goVersion := "(devel)", runtime.Version()
	var settings []debug.BuildSetting
	if bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		settings = bi.Settings
	}
	s := "refbridge " + version + "\n"
	for _, st := range settings {
		switch st.Key {
		case "vcs.revision", "vcs.time", "vcs.modified":
			s += fmt.Sprintf("  %-13s %s\n", st.Key, st.Value)
		}
	}
	return s + fmt.Sprintf("  %-13s %s %s/%s\n", "go", goVersion, runtime.GOOS, runtime.GOARCH)
}
