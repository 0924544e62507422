package polyfn_test

// The peers adapters/aws's benchmarks measure polyfn against, for HTTP API
// v2 (issue 17): test-only modules, like those in testModules. No package
// of the module links them (adapters/aws TestPeersOnlyInTests).
func init() {
	testModules = append(testModules, "github.com/awslabs/aws-lambda-go-api-proxy/...", "github.com/akrylysov/algnhsa/...")
}
