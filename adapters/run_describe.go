//go:build polyfn.describe

package adapters

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/polyfn/polyfn/core"
)

// Name is the name of the adapter this binary was built with.
const Name = "describe"

// DescribeEnv names the file the describe build writes the App's spec to;
// without it the spec goes to standard output.
const DescribeEnv = "POLYFN_DESCRIBE_OUT"

// Run writes the App's declarations (core.App.MarshalJSON) and exits. The
// polyfn build tool builds a program with -tags polyfn.describe to learn its
// functions and triggers without running them.
func Run(app *core.App) {
	spec, err := json.Marshal(app)
	if err == nil {
		if path := os.Getenv(DescribeEnv); path != "" {
			err = os.WriteFile(path, spec, 0o644)
		} else {
			_, err = fmt.Println(string(spec))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "polyfn: describe:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
