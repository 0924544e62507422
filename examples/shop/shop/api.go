package shop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/auth"
	"github.com/polyfn/polyfn/core/resource"
	"gocloud.dev/gcerrors"
)

// api serves POST /api/orders, GET /api/orders/{id} and GET /api/whoami
// to authenticated callers.
func (s *shop) api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/whoami", whoami)
	mux.HandleFunc("POST /api/orders", s.createOrder)
	mux.HandleFunc("GET /api/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		o, err := s.cfg.Store.Order(r.Context(), r.PathValue("id"))
		switch {
		case errors.Is(err, ErrNoOrder):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such order"})
		case err != nil:
			s.failed(w, r, "read order", err)
		default:
			writeJSON(w, http.StatusOK, o)
		}
	})
	return auth.Require(deferred(&s.callers))(mux)
}

// createOrder stores a new order and sends it to the orders queue: 202,
// fulfilment follows.
func (s *shop) createOrder(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var o Order
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "order: " + err.Error()})
		return
	}
	if err := validate(o); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if err := s.cfg.Store.CreateOrder(ctx, o, "accepted"); err != nil {
		if gcerrors.Code(err) == gcerrors.AlreadyExists {
			writeJSON(w, http.StatusConflict, map[string]string{"error": fmt.Sprintf("order %q exists", o.ID)})
			return
		}
		s.failed(w, r, "store order", err)
		return
	}
	if err := s.send(ctx, OrdersQueue, "order-"+o.ID, "/shop/api", TypeOrderAccepted, o); err != nil {
		s.failed(w, r, "enqueue order", err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": o.ID, "status": "accepted"})
}

// failed logs err and answers 500 without its text.
func (s *shop) failed(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.cfg.Logger.ErrorContext(r.Context(), what+" failed", "error", err)
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": what + " failed"})
}

// send publishes v as the data of a CloudEvent to the topic or queue r.
func (s *shop) send(ctx context.Context, r core.Resource, id, source, typ string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var p *resource.Publisher
	if r.Kind == core.ResourceTopic {
		p, err = s.rs.Topic(ctx, r.Name)
	} else {
		p, err = s.rs.Queue(ctx, r.Name)
	}
	if err != nil {
		return err
	}
	e := core.NewEvent(id, source, typ, "application/json", data)
	e.SetTime(s.cfg.Now().UTC())
	e.SetSubject("orders/" + strings.TrimPrefix(id, "order-"))
	return p.Publish(ctx, e)
}

func validate(o Order) error {
	if o.ID == "" || len(o.Items) == 0 {
		return fmt.Errorf("order %q: an id and at least one item are required", o.ID)
	}
	for _, it := range o.Items {
		if it.SKU == "" || it.Qty <= 0 {
			return fmt.Errorf("order %q: item %+v needs a SKU and a positive quantity", o.ID, it)
		}
	}
	return nil
}
