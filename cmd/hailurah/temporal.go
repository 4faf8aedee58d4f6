package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"

	"github.com/hailurah/hailurah/server"
	"github.com/hailurah/hailurah/workflows"
)

// temporalTLS is what TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA
// and TEMPORAL_TLS_SERVER_NAME make of a connection: nil when none is set.
// The files are read here, at start, so a wrong path or a certificate
// without its key stops the process with the variable's name rather than
// failing every dial later.
func temporalTLS(certFile, keyFile, caFile, serverName string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" && caFile == "" && serverName == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	switch {
	case certFile != "" && keyFile == "":
		return nil, errors.New("TEMPORAL_TLS_CERT is set without TEMPORAL_TLS_KEY: mTLS needs the client certificate's private key too")
	case keyFile != "" && certFile == "":
		return nil, errors.New("TEMPORAL_TLS_KEY is set without TEMPORAL_TLS_CERT: mTLS needs the client certificate too")
	case certFile != "":
		if err := readable("TEMPORAL_TLS_CERT", certFile); err != nil {
			return nil, err
		}
		if err := readable("TEMPORAL_TLS_KEY", keyFile); err != nil {
			return nil, err
		}
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %s holds no PEM certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

func readable(name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}

// temporalOptions are the client options of every connection this program
// makes to Temporal (server, worker, dev, seed-demo, `hailurah temporal`):
// payloads sealed with the payload key, actors signed with the app secret,
// and, for a cluster (TEMPORAL_ADDRESS), its TLS and API key. metrics may
// be nil. The secret must be known (ensureSecret) before this is called.
func (cfg Config) temporalOptions(addr string, logger *slog.Logger, metrics client.MetricsHandler) (client.Options, error) {
	if cfg.Secret == "" {
		return client.Options{}, errors.New("HAILURAH_SECRET is required to seal Temporal payloads and sign staff actions")
	}
	codec, err := cfg.payloadCodec()
	if err != nil {
		return client.Options{}, err
	}
	opts := client.Options{
		HostPort: addr, Namespace: cfg.Namespace, DataConverter: codec.DataConverter(), MetricsHandler: metrics,
		Logger:       sdklog.NewStructuredLogger(logger.With(slog.String("component", "temporal-client"))),
		Interceptors: []interceptor.ClientInterceptor{workflows.NewActorSigner(workflows.ActorKey(cfg.Secret))},
	}
	// The embedded server listens on loopback in plain gRPC; TLS and the
	// API key are the cluster's.
	if addr == cfg.TemporalAddress {
		opts.ConnectionOptions.TLS = cfg.TemporalTLS
		if cfg.TemporalAPIKey != "" {
			opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.TemporalAPIKey)
		}
	}
	return opts, nil
}

// payloadCodec seals payloads with HAILURAH_PAYLOAD_KEY, or else with a
// key derived from HAILURAH_SECRET.
func (cfg Config) payloadCodec() (*workflows.PayloadCodec, error) {
	secret := cfg.PayloadKey
	if secret == "" {
		secret = cfg.Secret
	}
	return workflows.NewPayloadCodec(workflows.PayloadKey(secret))
}

// dialTemporal connects to the Temporal frontend at addr with
// temporalOptions.
func dialTemporal(ctx context.Context, cfg Config, addr string, logger *slog.Logger, metrics client.MetricsHandler) (client.Client, error) {
	opts, err := cfg.temporalOptions(addr, logger, metrics)
	if err != nil {
		return nil, err
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", addr, err)
	}
	return c, nil
}

// codecEndpoint is where the embedded Temporal UI decodes payloads: the
// app's codec (server.CodecPath) at the address a browser on this machine
// opens. Unknown before listening on port 0 (tests): none.
func (m *Main) codecEndpoint() string {
	if m.Config.BaseURL != "" {
		return strings.TrimSuffix(m.Config.BaseURL, "/") + server.CodecPath
	}
	host, port, err := net.SplitHostPort(m.Config.Addr)
	if err != nil || port == "0" {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + server.CodecPath
}

// temporalUIOrigins are the origins of the Temporal Web UIs that may call
// the codec with an admin's session: HAILURAH_TEMPORAL_UI_ORIGINS, and in
// dev the embedded UI under both names of the loopback address.
func (m *Main) temporalUIOrigins() []string {
	origins := m.Config.TemporalUIOrigins
	if m.Devserver != nil && m.Devserver.UIAddr() != "" {
		if _, port, err := net.SplitHostPort(m.Devserver.UIAddr()); err == nil {
			origins = append(origins, "http://localhost:"+port, "http://127.0.0.1:"+port)
		}
	}
	return origins
}
