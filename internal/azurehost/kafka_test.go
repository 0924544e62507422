package azurehost

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// deep parses JSON text held in strings, recursively, so that requests
// compare by meaning, not by member order inside encoded values.
func deep(v any) any {
	switch x := v.(type) {
	case string:
		var inner any
		if len(x) > 0 && (x[0] == '{' || x[0] == '[') && json.Unmarshal([]byte(x), &inner) == nil {
			return deep(inner)
		}
	case []any:
		for i := range x {
			x[i] = deep(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = deep(x[k])
		}
	}
	return v
}

// TestKafkaBatchMatchesFixture: KafkaBatch builds the request the Kafka
// fixture describes, member for member.
func TestKafkaBatchMatchesFixture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "kafka-many.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	delete(want["Metadata"].(map[string]any), "sys")
	key := "User_1"
	got := KafkaBatch("events", []KafkaRecord{
		{Topic: "kafkaeventhubtest1", Partition: 0, Offset: 364, Key: &key, Timestamp: time.Date(2022, 4, 9, 3, 20, 6, 591e6, time.UTC),
			Headers: []KafkaHeader{{Key: "test", Value: []byte("python")}},
			Value:   []byte(`{"registertime":1627429520284,"userid":"User_1","regionid":"Region_5","gender":"MALE"}`)},
		{Topic: "kafkaeventhubtest1", Partition: 0, Offset: 365, Timestamp: time.Date(2022, 4, 9, 3, 20, 7, 102e6, time.UTC), Value: []byte("one")},
	}, "string")
	gb, _ := json.Marshal(got)
	var g map[string]any
	if err := json.Unmarshal(gb, &g); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(deep(g), deep(want)) {
		t.Errorf("KafkaBatch builds\n%s\nthe fixture holds\n%s", gb, b)
	}
}
