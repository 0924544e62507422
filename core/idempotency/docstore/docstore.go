// Package docstore is an idempotency.Store on the Go CDK's
// gocloud.dev/docstore: DynamoDB, Firestore, MongoDB (Cosmos DB for
// MongoDB on Azure) or memory, chosen by a URL.
//
//	store, err := docstore.Open(ctx, os.Getenv(docstore.EnvURL))
//	...
//	app.Use(idempotency.New(store))
//
// Only programs that import this package link the Go CDK and the AWS SDK.
//
// # URLs
//
// The drivers are linked by build tag, so that a binary links only its
// own cloud's SDK:
//
//   - mem://COLLECTION/id — in the process (memdocstore), in every build;
//   - dynamodb://TABLE?partition_key=id — a DynamoDB table whose string
//     partition key is "id" (gocloud.dev/docstore/awsdynamodb/v2), in the
//     AWS build and the local one (no adapter tag). The AWS SDK's
//     configuration applies: credentials, AWS_REGION, and the endpoint in
//     AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL. Reads are strongly
//     consistent unless the URL says consistent_read=false;
//   - firestore://projects/P/databases/(default)/documents/C?name_field=id
//     — Firestore: blank-import gocloud.dev/docstore/gcpfirestore in the
//     program (not linked here, so that a Google build that does not use
//     it links no Google Cloud SDK);
//   - mongo://DATABASE/COLLECTION?id_field=id — MongoDB, Cosmos DB for
//     MongoDB on Azure: blank-import gocloud.dev/docstore/mongodocstore (a
//     module of its own) in the program.
//
// # Documents
//
// A record is one document keyed by the field "id", with the fields
// status ("in_progress" or "completed"), token, hash, lock_expires_ms and
// expires_ms (Unix milliseconds, the only times the store compares),
// expiration (Unix seconds, for the database's time-to-live feature: set a
// DynamoDB TTL or a Firestore TTL policy on it, or a MongoDB TTL index on
// a date field of your own, to delete old records), reply, and the
// revision field docstore keeps (DocstoreRevision).
//
// Every write is conditional: a claim creates the document if it is absent
// or replaces an expired one at the revision it read, and completing or
// releasing a record replaces or deletes it at the revision that carries
// the claim's token. So of two processes claiming one key at once, exactly
// one wins.
package docstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"time"

	gcdocstore "gocloud.dev/docstore"
	_ "gocloud.dev/docstore/memdocstore" // mem:// URLs
	"gocloud.dev/gcerrors"

	"github.com/polyfn/polyfn/core/idempotency"
)

// EnvURL is the environment variable that names the store of a deployed
// function: a URL as Open takes.
const EnvURL = "POLYFN_IDEMPOTENCY_URL"

// Store is an idempotency.Store on a docstore collection. Its methods may
// be called concurrently.
type Store struct {
	coll *gcdocstore.Collection

	mu   sync.Mutex
	revs map[string]any // claim token -> revision of the document the claim wrote
}

var _ idempotency.Store = (*Store)(nil)

// New returns a Store on coll, whose key field must be "id" and whose
// revision field the default (docstore.DefaultRevisionField). Closing the
// Store closes coll.
func New(coll *gcdocstore.Collection) *Store { return &Store{coll: coll, revs: map[string]any{}} }

// Open opens the collection urlstr names (see the package documentation)
// and returns a Store on it. Close the Store when done.
func Open(ctx context.Context, urlstr string) (*Store, error) {
	if urlstr == "" {
		return nil, errors.New("idempotency store: empty URL (set " + EnvURL + ", for example to mem://idempotency/id)")
	}
	u, err := url.Parse(urlstr)
	if err != nil {
		return nil, fmt.Errorf("idempotency store: %w", err)
	}
	if u.Scheme == "dynamodb" {
		q := u.Query()
		if !q.Has("consistent_read") {
			q.Set("consistent_read", "true")
			u.RawQuery = q.Encode()
		}
	}
	coll, err := gcdocstore.OpenCollection(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("idempotency store: %w", err)
	}
	return New(coll), nil
}

// OpenEnv opens the store the environment names: the URL in EnvURL, or
// else the one the manifests set for idempotency.Table. The URL "mem://"
// means an idempotency.MemoryStore, for one process. ok is false when
// neither variable is set.
func OpenEnv(ctx context.Context) (store idempotency.Store, ok bool, err error) {
	urlstr := os.Getenv(EnvURL)
	if urlstr == "" {
		urlstr = os.Getenv(idempotency.Table.EnvVar())
	}
	switch urlstr {
	case "":
		return nil, false, nil
	case "mem://":
		return idempotency.NewMemoryStore(), true, nil
	}
	s, err := Open(ctx, urlstr)
	if err != nil {
		return nil, true, err
	}
	return s, true, nil
}

// Close closes the collection.
func (s *Store) Close() error { return s.coll.Close() }

// maxClaimRounds bounds how often Claim retries when the record changes
// between its read and its conditional write.
const maxClaimRounds = 4

// Claim implements idempotency.Store.
func (s *Store) Claim(ctx context.Context, rec *idempotency.Record, now time.Time) (*idempotency.Record, error) {
	for range maxClaimRounds {
		doc := toDocument(rec, nil)
		err := s.coll.Create(ctx, doc)
		if err == nil {
			s.remember(rec.Token, doc.DocstoreRevision)
			return nil, nil
		}
		if gcerrors.Code(err) != gcerrors.AlreadyExists {
			return nil, fmt.Errorf("create %s: %w", rec.Key, err)
		}
		cur, err := s.get(ctx, rec.Key)
		if errors.Is(err, errAbsent) {
			continue // released since: create it again
		}
		if err != nil {
			return nil, err
		}
		held := cur.record()
		if held.State(now) != idempotency.StatusExpired {
			return held, nil
		}
		doc = toDocument(rec, cur.DocstoreRevision)
		err = s.coll.Replace(ctx, doc)
		switch gcerrors.Code(err) {
		case gcerrors.OK:
			s.remember(rec.Token, doc.DocstoreRevision)
			return nil, nil
		case gcerrors.FailedPrecondition, gcerrors.NotFound:
			continue // another claim changed it first: read again
		}
		return nil, fmt.Errorf("replace %s: %w", rec.Key, err)
	}
	return nil, fmt.Errorf("claim %s: the record kept changing (%d rounds)", rec.Key, maxClaimRounds)
}

// Complete implements idempotency.Store. After a claim made through this
// Store it is one conditional write at the revision the claim wrote;
// otherwise it reads the record first to check the token.
func (s *Store) Complete(ctx context.Context, rec *idempotency.Record) error {
	rev, err := s.revision(ctx, rec.Key, rec.Token)
	if err != nil {
		return err
	}
	return notOwner(s.coll.Replace(ctx, toDocument(rec, rev)), "complete", rec.Key)
}

// Release implements idempotency.Store, as Complete does.
func (s *Store) Release(ctx context.Context, key, token string) error {
	rev, err := s.revision(ctx, key, token)
	if err != nil {
		return err
	}
	return notOwner(s.coll.Delete(ctx, &document{ID: key, DocstoreRevision: rev}), "release", key)
}

// remember keeps the revision a claim wrote, for its Complete or Release.
func (s *Store) remember(token string, rev any) {
	s.mu.Lock()
	s.revs[token] = rev
	s.mu.Unlock()
}

// revision returns the revision of the record at key that the claim token
// wrote: the one Claim remembered (a write at it fails if another claim
// has taken the record over since), else the current one if the record
// carries token.
func (s *Store) revision(ctx context.Context, key, token string) (any, error) {
	s.mu.Lock()
	rev, ok := s.revs[token]
	delete(s.revs, token)
	s.mu.Unlock()
	if ok {
		return rev, nil
	}
	cur, err := s.owned(ctx, key, token)
	if err != nil {
		return nil, err
	}
	return cur.DocstoreRevision, nil
}

var errAbsent = errors.New("no record")

// get reads the record at key, or returns errAbsent.
func (s *Store) get(ctx context.Context, key string) (*document, error) {
	cur := &document{ID: key}
	err := s.coll.Get(ctx, cur)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, errAbsent
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return cur, nil
}

// owned reads the record at key and checks that it carries token.
func (s *Store) owned(ctx context.Context, key, token string) (*document, error) {
	cur, err := s.get(ctx, key)
	if errors.Is(err, errAbsent) || err == nil && cur.Token != token {
		return nil, idempotency.ErrNotOwner
	}
	return cur, err
}

// notOwner maps a conditional write's failure (the record changed or went
// since it was read) to idempotency.ErrNotOwner.
func notOwner(err error, what, key string) error {
	switch gcerrors.Code(err) {
	case gcerrors.OK:
		return nil
	case gcerrors.FailedPrecondition, gcerrors.NotFound:
		return idempotency.ErrNotOwner
	}
	return fmt.Errorf("%s %s: %w", what, key, err)
}
