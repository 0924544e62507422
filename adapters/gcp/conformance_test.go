package gcp_test

import (
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/gcp/gcptest"
)

func TestConformance(t *testing.T) { adaptertest.Run(t, gcptest.NewHarness) }
