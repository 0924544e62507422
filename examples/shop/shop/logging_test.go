package shop

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

// TestDefaultLogger: the logger writes through the default handler of the
// moment of logging (installed after the logger was made, as adapters do),
// keeps its With attributes and groups, and drops lines below its level.
func TestDefaultLogger(t *testing.T) {
	level := new(slog.LevelVar)
	log := DefaultLogger(level).With("app", "shop").WithGroup("g")
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	level.Set(slog.LevelInfo)
	log.DebugContext(context.Background(), "dropped")
	log.InfoContext(context.Background(), "kept", "order", "o1")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("want one JSON line, got %q: %v", buf.String(), err)
	}
	g, _ := line["g"].(map[string]any)
	if line["msg"] != "kept" || line["app"] != "shop" || g["order"] != "o1" {
		t.Errorf("line %v: want msg kept, app shop, g.order o1", line)
	}
}
