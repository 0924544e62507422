package azure_test

import (
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/azure/azuretest"
)

func TestConformance(t *testing.T) { adaptertest.Run(t, azuretest.NewHarness) }
