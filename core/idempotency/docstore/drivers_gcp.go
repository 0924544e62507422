//go:build polyfn.gcp || polyfn.gcpsource

package docstore

import _ "gocloud.dev/docstore/gcpfirestore" // firestore:// URLs
