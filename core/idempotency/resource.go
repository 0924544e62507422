package idempotency

import "github.com/polyfn/polyfn/core"

// Table is the table a deployed store keeps its records in: keyed by the
// string field "id", expiring at the Unix seconds in "expiration". A
// function that declares it (Uses) gets it created by the manifests, with
// the database's time-to-live on that field, and the rights to read and
// write it, and nothing more; its Go CDK URL arrives in
// Table.EnvVar() (POLYFN_TABLE_IDEMPOTENCY_URL).
var Table = core.Table("idempotency").WithTTL("expiration")

// Uses declares that the function keeps idempotency records in Table.
//
//	app.Event("fulfil", fn, core.OnQueue("orders"), idempotency.Uses())
func Uses() core.FunctionOption { return core.Uses(Table, core.Read, core.Write) }
