//go:build polyfn.aws

package adapters

import (
	"github.com/polyfn/polyfn/adapters/aws"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/internal/trace"
)

// Name is the name of the adapter this binary was built with.
const Name = "aws"

// Run serves app on AWS Lambda (see package aws): the function named by
// POLYFN_FUNCTION or the Handler setting, SIGTERM delivery for shutdown
// hooks, POLYFN_TRACE_FILE as with every adapter. It never returns. When no
// function of app can be selected it prints the reason to standard error
// and exits with status 1.
func Run(app *core.App) {
	trace.FromEnv(app)
	aws.Start(app)
}
