package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/driver"
)

func runDescribe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "describe", "describe PKG")
	pkg, err := parse(fs, args)
	if err != nil {
		return err
	}
	_, spec, err := loadApp(ctx, e, pkg)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, string(spec))
	return err
}

// goTool returns the path of the go command, or an error that says how to
// get one.
func goTool() (string, error) {
	p, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the Go toolchain is not on PATH: polyfn builds with it (install Go from https://go.dev/dl)")
	}
	return p, nil
}

// loadApp builds pkg with -tags polyfn.describe and runs it, so the program
// reports its App's declarations instead of serving them.
func loadApp(ctx context.Context, e *env, pkg string) (*core.App, []byte, error) {
	goBin, err := goTool()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "polyfn-describe-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "spec.json")
	cmd := exec.CommandContext(ctx, goBin, "run", "-tags", "polyfn.describe", pkg)
	cmd.Env = append(os.Environ(), "POLYFN_DESCRIBE_OUT="+out)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("reading the app of %s: %v\n%s", pkg, err, strings.TrimSpace(stderr.String()))
	}
	spec, err := os.ReadFile(out)
	if err != nil {
		return nil, nil, fmt.Errorf("%s defines no polyfn App: its main must build a core.App and pass it to adapters.Run", pkg)
	}
	app, err := driver.ParseSpec(spec)
	if err != nil {
		return nil, nil, err
	}
	if len(app.Functions()) == 0 {
		return nil, nil, fmt.Errorf("%s registers no function in its App", pkg)
	}
	return app, spec, nil
}

// selectFunction returns the function --function names, or the App's only
// function when name is empty, by core.App.Select. Its errors are usage
// errors that name the App's functions.
func selectFunction(app *core.App, name string) (*core.Function, error) {
	f, err := app.Select(name, 0)
	if err != nil {
		// Select's text without the sentinel's prefix reads as a CLI message.
		msg := strings.TrimPrefix(err.Error(), core.ErrNoFunction.Error()+": ")
		if name == "" && len(app.Functions()) > 1 {
			msg += " with --function"
		}
		return nil, usageError(msg)
	}
	return f, nil
}
