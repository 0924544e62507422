package gcp

import (
	"net/http"
	"testing"
)

func BenchmarkDecodeRequest(b *testing.B) {
	pubsub := readFile(b, "google/MessagePublishedData-text.json")
	cases := []struct {
		name   string
		header http.Header
		body   []byte
	}{
		{"binary-pubsub", binary(TypePubSubMessagePublished, "//pubsub.googleapis.com/projects/p/topics/t"), pubsub},
		{"binary-storage", binary(TypeStorageObjectFinalized, "//storage.googleapis.com/projects/_/buckets/b", "Ce-Subject", "objects/o"), readFile(b, "google/StorageObjectData-simple.json")},
		{"structured-pubsub", jsonHeader("application/cloudevents+json"), readFile(b, "structured/MessagePublishedData.json")},
		{"legacy-storage", jsonHeader("application/json"), readFile(b, "conformance/storage-legacy-input.json")},
		{"legacy-pubsub", jsonHeader("application/json"), readFile(b, "conformance/pubsub_text-legacy-input.json")},
		{"push-envelope", jsonHeader("application/json"), pubsub},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for i := 0; i < b.N; i++ {
				if _, err := DecodeRequest(c.header, c.body, "/"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPubSubMessageOf(b *testing.B) {
	e, err := DecodeRequest(binary(TypePubSubMessagePublished, "//pubsub.googleapis.com/projects/p/topics/t"), readFile(b, "google/MessagePublishedData-text.json"), "/")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := PubSubMessageOf(e); err != nil {
			b.Fatal(err)
		}
	}
}
