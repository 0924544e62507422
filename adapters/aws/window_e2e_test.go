package aws_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestEmulatorTumblingWindow runs a tumbling-window aggregation
// (internal/windowfn) under aws-lambda-rie, one invocation at a time, as
// Lambda drives it: the state one invocation answers is the state of the
// next, and the final invocation, without records, ends with the
// window-end event, which sees the final state.
func TestEmulatorTumblingWindow(t *testing.T) {
	bin := buildLambda(t, "./adapters/aws/internal/windowfn", "lambda.norpc", "windowfn")
	windowFile := filepath.Join(workDir, "windowfn", "final.jsonl")
	emu := startEmulator(t, bin, filepath.Join(workDir, "windowfn", "echo.jsonl"), "POLYFN_WINDOW_FILE="+windowFile)
	emuMu.Lock()
	emus["windowfn"] = emu
	emuMu.Unlock()

	// The first invocation of the window: one record, the state Lambda had.
	status, out := emu.invoke(t, fixture(t, "aws-lambda-go-kinesis-time-window-event.json"))
	const first = `{"state":{"count":1,"ids":["shardId-000000000006:49590338271490256608559692538361571095921575989136588898"]},"batchItemFailures":[]}`
	if status != 200 || string(out) != first {
		t.Fatalf("first invocation: %d %s; want %s\nemulator log:\n%s", status, out, first, emu.log)
	}
	// The final one, with no records, gets the state the first answered.
	final := fixture(t, "polyfn-kinesis-window-final-event.json")
	start, end := bytes.Index(final, []byte(`"state": {`)), bytes.Index(final, []byte(`"shardId"`))
	if start < 0 || end < start {
		t.Fatal("fixture has no state member")
	}
	state := bytes.TrimSuffix(bytes.TrimPrefix(out, []byte(`{"state":`)), []byte(`,"batchItemFailures":[]}`))
	payload := append(append(append([]byte(nil), final[:start]...), `"state": `+string(state)+`,
  `...), final[end:]...)
	status, out = emu.invoke(t, payload)
	if want := `{"state":` + string(state) + `,"batchItemFailures":[]}`; status != 200 || string(out) != want {
		t.Fatalf("final invocation: %d %s; want %s\nemulator log:\n%s", status, out, want, emu.log)
	}
	got, err := os.ReadFile(windowFile)
	if err != nil || string(got) != string(state)+"\n" {
		t.Errorf("the window end saw %q (%v); want the final state %s", got, err, state)
	}
}
