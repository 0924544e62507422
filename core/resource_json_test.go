package core

import (
	"encoding/json"
	"testing"
)

func TestResourceJSONRoundTrip(t *testing.T) {
	for _, r := range []Resource{
		Topic("order-placed").With("azure", "service", "servicebus"),
		Queue("jobs").With("azure", "service", "storage").With("aws", "arn", "arn:aws:sqs:eu-west-1:1:jobs"),
		Bucket("reports"),
		Table("sessions").WithKey("sid").WithTTL("expires"),
	} {
		b, err := json.Marshal(Use{Resource: r, Access: []Access{Read}})
		if err != nil {
			t.Fatal(err)
		}
		var u Use
		if err := json.Unmarshal(b, &u); err != nil {
			t.Fatal(err)
		}
		if !u.Resource.same(r) || len(u.Access) != 1 || u.Access[0] != Read {
			t.Errorf("%s: %s read back as %+v", r, b, u)
		}
	}
}
