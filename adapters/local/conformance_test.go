package local_test

import (
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/local/localtest"
)

func TestConformance(t *testing.T) { adaptertest.Run(t, localtest.NewHarness) }
