package devserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// webUI is Temporal's Web UI server, serving the UI's assets and proxying
// its API calls to the frontend.
type webUI struct {
	srv  *uiserver.Server
	addr string        // host:port a browser on this machine opens
	done chan struct{} // closed when the server's Start has returned
}

func startUI(ctx context.Context, addr listenAddr, frontend, namespace, codec string) (*webUI, error) {
	cfg := &uiconfig.Config{
		Host:                addr.ip.String(),
		Port:                addr.port,
		TemporalGRPCAddress: frontend,
		DefaultNamespace:    namespace,
		EnableUI:            true,
		// Its access log and banner go to stdout, past our logger.
		HideLogs: true,
		// The UI is served over plain HTTP, where a browser drops a CSRF
		// cookie marked Secure and every action in the UI would fail.
		CORS: uiconfig.CORS{CookieInsecure: true},
	}
	// The browser decodes sealed payloads at the app, with the session
	// cookie of the admin logged in there.
	cfg.Codec.Endpoint, cfg.Codec.IncludeCredentials = codec, codec != ""
	srv, err := newUIServer(cfg)
	if err != nil {
		return nil, err
	}
	ui := &webUI{srv: srv, addr: addr.dialString(), done: make(chan struct{})}
	go func() {
		defer close(ui.done)
		// Start returns nil once Stop closes the server. A failure to
		// listen ends the process inside the UI server (it logs it as
		// fatal); Start checked the port just before to make that unlikely.
		_ = srv.Start()
	}()
	if err := waitHTTP(ctx, "http://"+ui.addr+"/"); err != nil {
		ui.stop()
		return nil, fmt.Errorf("web UI on %s: %w", ui.addr, err)
	}
	return ui, nil
}

// newUIServer builds the UI server, which panics on a configuration it
// rejects; that becomes an error here.
func newUIServer(cfg *uiconfig.Config) (srv *uiserver.Server, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("web UI config: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("web UI: %v", r)
		}
	}()
	return uiserver.NewServer(server_options.WithConfigProvider(cfg)), nil
}

// stop closes the UI server and waits until it no longer listens, so the
// port can be used again as soon as Stop returns.
func (ui *webUI) stop() {
	ui.srv.Stop()
	<-ui.done
}

// waitHTTP polls url until it answers 200 OK.
func waitHTTP(ctx context.Context, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	return poll(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return nil
	})
}

// pollInterval is how often start-up checks are retried: often enough that
// Start returns soon after the server is ready, rarely enough to add no load.
const pollInterval = 100 * time.Millisecond

// poll calls check until it succeeds or ctx ends; the error then says what
// the last check saw.
func poll(ctx context.Context, check func() error) error {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		err := check()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
	}
}
