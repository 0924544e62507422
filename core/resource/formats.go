package resource

// The formats of the services, by the URL schemes of their Go CDK
// drivers; each adapter's build registers its own (drivers_*.go).
var (
	// snsSQS: message attributes ce-<attribute>, the content type in the
	// attribute content-type; at most 10 attributes, and a body of XML
	// characters.
	snsSQS = format{prefix: "ce-", contentType: "content-type", maxAttrs: 10, text: true}
	// serviceBus: application properties cloudEvents:<attribute> (the AMQP
	// binding), the content type in the message's own.
	serviceBus = format{prefix: "cloudEvents:"}
	// pubSub: attributes ce-<attribute>, the content type in the attribute
	// content-type (the Pub/Sub binding); at most 100 attributes of at most
	// 1,024 bytes.
	pubSub = format{prefix: "ce-", contentType: "content-type", maxAttrs: 100, maxValue: 1024}
	// structured: services without attributes (Queue Storage) or that take
	// CloudEvents in the JSON format only (Event Grid): always structured
	// mode, a JSON object with a specversion member, which providers/azure
	// reads as the CloudEvent it is.
	structured = format{structuredOnly: true}
)
