package core

import "encoding/json"

// resourceJSON is the JSON form of a Resource, in the App's description.
type resourceJSON struct {
	Kind     ResourceKind                 `json:"kind"`
	Name     string                       `json:"name"`
	Key      string                       `json:"key,omitempty"`
	TTL      string                       `json:"ttl,omitempty"`
	Settings map[string]map[string]string `json:"settings,omitempty"`
}

// MarshalJSON encodes r: kind, name, key and ttl fields, and its
// provider settings.
func (r Resource) MarshalJSON() ([]byte, error) {
	return json.Marshal(resourceJSON{Kind: r.Kind, Name: r.Name, Key: r.KeyField, TTL: r.TTLField, Settings: r.overrides})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (r *Resource) UnmarshalJSON(b []byte) error {
	var j resourceJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Resource{Kind: j.Kind, Name: j.Name, KeyField: j.Key, TTLField: j.TTL}
	for p, kv := range j.Settings {
		for k, v := range kv {
			*r = r.With(p, k, v)
		}
	}
	return nil
}
