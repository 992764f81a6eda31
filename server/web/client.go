package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"maillab/server/evidence"
	"maillab/server/journal"
)

// ErrUnreachable is wrapped by the client's errors when the server could
// not be reached at all (nothing listens, no route, a timeout), as opposed
// to a server that answered wrongly.
var ErrUnreachable = errors.New("web: server not reachable")

// DefaultTimeout bounds one request of a Client.
const DefaultTimeout = 5 * time.Second

// maxBody bounds what the client reads of one answer.
const maxBody = 32 << 20

// Client reads other groups' servers through their APIs. Its zero value
// is ready to use.
type Client struct {
	// HTTP does the requests; nil means a client of its own.
	HTTP *http.Client
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// get fetches http://addr/path?query into v.
func (c *Client) get(ctx context.Context, addr, path string, query url.Values, v any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := url.URL{Scheme: "http", Host: addr, Path: path, RawQuery: query.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("web: %s: %w", addr, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http().Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnreachable, addr, unwrapURL(err))
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, maxBody)
	if resp.StatusCode != http.StatusOK {
		var e apiError
		if json.NewDecoder(body).Decode(&e) == nil && e.Error != "" {
			return fmt.Errorf("web: %s: %s: %s", addr, resp.Status, e.Error)
		}
		return fmt.Errorf("web: %s: %s (is it a maillab server?)", addr, resp.Status)
	}
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return fmt.Errorf("web: %s: not a maillab answer: %w", addr, err)
	}
	return nil
}

// unwrapURL drops the *url.Error wrapping, whose message repeats the URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Status asks the server at addr (host:port of its API) for its status.
func (c *Client) Status(ctx context.Context, addr string) (Status, error) {
	var s Status
	err := c.get(ctx, addr, "/api/status", nil, &s)
	return s, err
}

// Evidence asks the server at addr for its group's evidence summaries.
func (c *Client) Evidence(ctx context.Context, addr string) (*evidence.State, error) {
	st := &evidence.State{}
	if err := c.get(ctx, addr, "/api/evidence", nil, st); err != nil {
		return nil, err
	}
	return st, nil
}

// Events asks the server at addr for one page of its journal, from the
// cursor after on (0: the start).
func (c *Client) Events(ctx context.Context, addr string, after int64) (Events, error) {
	var e Events
	err := c.get(ctx, addr, "/api/events", url.Values{"after": {strconv.FormatInt(after, 10)}}, &e)
	if err == nil && e.Next < after {
		err = fmt.Errorf("web: %s: the cursor went back from %d to %d", addr, after, e.Next)
	}
	return e, err
}

// Journal reads the server's whole journal, page after page, and returns
// it with the cursor of its end.
func (c *Client) Journal(ctx context.Context, addr string) ([]journal.Event, int64, error) {
	var all []journal.Event
	var after int64
	for {
		page, err := c.Events(ctx, addr, after)
		if err != nil {
			return all, after, err
		}
		all = append(all, page.Events...)
		if !page.More || page.Next == after {
			return all, page.Next, nil
		}
		after = page.Next
	}
}
