// Command polyfn builds, describes and invokes polyfn functions.
//
//	polyfn build    --provider aws|azure|gcp|cloudflare [--arch arm64|amd64] [--container] [--out DIR] PKG
//	polyfn manifest --provider aws|azure|gcp|cloudflare [--out DIR] PKG
//	polyfn invoke   --provider aws|azure|gcp|cloudflare|local [--trigger KIND] [--function NAME]
//	                [--data FILE]... [--method M] [--path P] [--header 'K: V']... [--set NAME=VALUE]... PKG
//	polyfn describe PKG
//
// PKG is a main package that builds a core.App and calls adapters.Run, as
// go build names it (./examples/shop), run from the module that holds it.
// Every command takes --help.
//
// build, manifest and describe read the App's declarations without running
// it: they build PKG with -tags polyfn.describe, under which adapters.Run
// reports the App and exits before any start hook (core.App.OnStart), so
// they need no setting, secret or connection. build writes DIR/PROVIDER
// through a staging folder: a failed build leaves no half-written output,
// and the files build does not write there (polyfn manifest --out
// DIR/PROVIDER) stay.
//
// invoke runs the function under the provider's own wire protocol and
// exits with status 1 when the function, or any record of a batch,
// failed; 2 for a mistake in the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

var commands = map[string]command{
	"build":    {"write the deployable artifact for a cloud", runBuild},
	"manifest": {"print the deployment manifests for a cloud", runManifest},
	"invoke":   {"run a function under a provider's wire protocol with a sample trigger payload", runInvoke},
	"describe": {"print the functions and triggers a package declares, as JSON", runDescribe},
}

// env is what a command reads and writes besides its arguments.
type env struct {
	stdout, stderr io.Writer
	// progress prints a line about a long step on stderr.
	progress func(format string, args ...any)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr}
	e.progress = func(format string, args ...any) { fmt.Fprintf(e.stderr, "polyfn: "+format+"\n", args...) }
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "polyfn: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return 2
	}
	err := cmd.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintln(e.stderr, "polyfn "+args[0]+":", err)
		return 2
	default:
		fmt.Fprintln(e.stderr, "polyfn "+args[0]+":", err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "polyfn builds, describes and invokes polyfn functions.")
	fmt.Fprintln(w, "\nUsage: polyfn COMMAND [flags] PKG\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'polyfn COMMAND --help' for a command's flags.")
}

// usageError is a mistake in the command line.
type usageError string

func (u usageError) Error() string { return string(u) }

// newFlags returns a flag set whose --help prints the command's synopsis.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: polyfn %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and returns the single package argument.
func parse(fs *flag.FlagSet, args []string) (string, error) {
	// Accept flags after the package too: polyfn build ./pkg --provider aws.
	var pkgs []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		pkgs = append(pkgs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pkgs) != 1 {
		return "", usageError(fmt.Sprintf("want one package argument, got %d (%s)", len(pkgs), strings.Join(pkgs, " ")))
	}
	return pkgs[0], nil
}

var providers = []string{"aws", "azure", "gcp", "cloudflare"}

func checkProvider(p string, allowed ...string) error {
	for _, a := range allowed {
		if p == a {
			return nil
		}
	}
	if p == "" {
		return usageError("--provider is required (" + strings.Join(allowed, ", ") + ")")
	}
	return usageError(fmt.Sprintf("unknown provider %q (want %s)", p, strings.Join(allowed, ", ")))
}
