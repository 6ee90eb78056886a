// Command refbridge runs the compatibility proxy and manages it.
//
//	refbridge serve [flags]      serve every vendor surface over the native engine
//	refbridge admin <command>    manage accounts, credentials and campaigns over the admin API
//	refbridge migrate …          move a program between two vendors or the engine, with a report
//
// Run a subcommand with -h for its flags.
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
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "refbridge:", err)
		}
		os.Exit(2)
	}
}

const usage = `refbridge: a compatibility proxy for referral-program APIs

Usage:
  refbridge serve [flags]       serve every vendor surface over the native engine
  refbridge admin <command>     manage a running server over its admin API
  refbridge migrate --from URL --to URL
                                move a program between two vendors or the engine

Run "refbridge serve -h" or "refbridge admin help" for details.
`

// run executes one subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "admin":
		return adminCommand(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrateCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// env returns the environment variable or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
