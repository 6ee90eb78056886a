// Command refbridge runs the compatibility proxy and manages it.
//
//	refbridge serve [flags]      serve every vendor surface over the native engine
//	refbridge admin <command>    manage accounts, credentials and campaigns over the admin API
//	refbridge migrate …          move a program between two vendors or the engine, with a report
//	refbridge version            print the version and build information
//
// Every command takes -h or --help. The exit status is 0 on success, 1
// when the command failed while running (a server unreachable, a store or
// API error) and 2 when the command line is wrong.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

const usage = `refbridge: a compatibility proxy for referral-program APIs

Usage:
  refbridge serve [flags]       serve every vendor surface over the native engine
  refbridge admin <command>     manage a running server over its admin API
  refbridge migrate --from URL --to URL
                                move a program between two vendors or the engine
  refbridge version             print the version and build information
  refbridge help [command]      print this help, or a command's

Every command takes -h or --help, e.g. "refbridge serve --help",
"refbridge admin --help", "refbridge admin accounts create --help".
Exit status: 0 success, 1 the command failed, 2 the command line is wrong.
`

// run executes one subcommand. A nil error means success, including a
// help request; a *usageError means the command line is wrong.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("", "no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "admin":
		return adminCommand(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrateCommand(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		return versionCommand(args[1:], stdout)
	case "help":
		return helpCommand(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageErrorf("", "unknown command %q", args[0])
}

// helpCommand prints the usage of refbridge or, given a command, of that
// command, as "refbridge COMMAND --help" would.
func helpCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelpFlag(args[0]) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch args[0] {
	case "serve", "admin", "migrate", "version":
		return dispatch(ctx, append(append([]string{}, args...), "--help"), stdout, stderr)
	}
	return usageErrorf("help", "unknown command %q", args[0])
}

// usageError is a command line refbridge cannot run: a flag or an
// argument that is unknown, missing or malformed. It exits with status 2.
type usageError struct {
	cmd string // the command whose --help the hint names, e.g. "admin accounts create"
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usageErrorf returns a *usageError of cmd ("" for refbridge itself).
func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, err: fmt.Errorf(format, args...)}
}

// exitCode reports err on stderr and returns the process's exit status:
// 0 for nil, 2 for a usage error (with a hint to run --help), 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		name := "refbridge"
		if ue.cmd != "" {
			name += " " + ue.cmd
		}
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", name, ue.err, name)
		return 2
	}
	fmt.Fprintln(stderr, "refbridge:", err)
	return 1
}

// isHelpFlag reports whether arg asks for help.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "--help", "-help", "--h":
		return true
	}
	return false
}

// parseFlags parses args with fs. On -h or --help it prints printUsage's
// text and fs's flags to stdout and returns flag.ErrHelp (which run turns
// into success); a bad flag is a *usageError of cmd. fs reports nothing
// itself: the caller's error does.
func parseFlags(fs *flag.FlagSet, cmd string, args []string, printUsage func(io.Writer), stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return flag.ErrHelp
	}
	if err != nil {
		return &usageError{cmd: cmd, err: err}
	}
	return nil
}

// env returns the environment variable or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
