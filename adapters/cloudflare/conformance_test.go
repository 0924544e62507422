package cloudflare_test

import (
	"testing"

	"github.com/polyfn/polyfn/adapters/adaptertest"
	"github.com/polyfn/polyfn/adapters/cloudflare/cloudflaretest"
)

func TestConformance(t *testing.T) { adaptertest.Run(t, cloudflaretest.NewHarness) }
