package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const testSecret = "rahasia-uji-yang-cukup-panjang-0123456789"

// TestTemporalConnectionConfigErrors: the Temporal connection settings are
// checked at start, and each mistake names its variable.
func TestTemporalConnectionConfigErrors(t *testing.T) {
	pki := newTestPKI(t)
	missing := filepath.Join(t.TempDir(), "tidak-ada.pem")
	notPEM := filepath.Join(t.TempDir(), "bukan.pem")
	if err := os.WriteFile(notPEM, []byte("bukan sertifikat"), 0o600); err != nil {
		t.Fatal(err)
	}
	cluster := "TEMPORAL_ADDRESS=temporal.example:7233"
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{cluster, "TEMPORAL_TLS_CERT=" + pki.clientCert}, "TEMPORAL_TLS_CERT is set without TEMPORAL_TLS_KEY"},
		{[]string{cluster, "TEMPORAL_TLS_KEY=" + pki.clientKey}, "TEMPORAL_TLS_KEY is set without TEMPORAL_TLS_CERT"},
		{[]string{cluster, "TEMPORAL_TLS_CERT=" + missing, "TEMPORAL_TLS_KEY=" + pki.clientKey}, "TEMPORAL_TLS_CERT: open " + missing},
		{[]string{cluster, "TEMPORAL_TLS_CERT=" + pki.clientCert, "TEMPORAL_TLS_KEY=" + missing}, "TEMPORAL_TLS_KEY: open " + missing},
		{[]string{cluster, "TEMPORAL_TLS_CERT=" + pki.clientCert, "TEMPORAL_TLS_KEY=" + pki.serverKey}, "private key does not match public key"},
		{[]string{cluster, "TEMPORAL_TLS_CA=" + missing}, "TEMPORAL_TLS_CA: open " + missing},
		{[]string{cluster, "TEMPORAL_TLS_CA=" + notPEM}, "TEMPORAL_TLS_CA: " + notPEM + " holds no PEM certificate"},
		{[]string{"TEMPORAL_TLS_CA=" + pki.ca}, "set TEMPORAL_ADDRESS too"},
		{[]string{"TEMPORAL_API_KEY=kunci"}, "set TEMPORAL_ADDRESS too"},
		{[]string{"HAILURAH_PAYLOAD_KEY=pendek"}, "HAILURAH_PAYLOAD_KEY: use at least 32 characters"},
	} {
		env := map[string]string{}
		for _, kv := range tc.env {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		_, err := LoadConfig(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error with %q", tc.env, err, tc.want)
		}
	}
}

// TestDialTemporalTLS dials a gRPC server of the test's own that speaks
// TLS with its own CA, as a secured cluster or Temporal Cloud does: one
// that requires a client certificate (mTLS) and one that requires an API
// key. The program's settings connect; without them the dial fails.
func TestDialTemporalTLS(t *testing.T) {
	pki := newTestPKI(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dial := func(env ...string) error {
		env = append(env, "HAILURAH_SECRET="+testSecret)
		cfg := testConfig(t, t.TempDir(), env...)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := dialTemporal(ctx, cfg, cfg.TemporalAddress, logger, nil)
		if err == nil {
			c.Close()
		}
		return err
	}

	t.Run("mTLS", func(t *testing.T) {
		addr, calls := startTLSFrontend(t, pki, tls.RequireAndVerifyClientCert, "")
		if err := dial("TEMPORAL_ADDRESS="+addr, "TEMPORAL_TLS_CERT="+pki.clientCert, "TEMPORAL_TLS_KEY="+pki.clientKey,
			"TEMPORAL_TLS_CA="+pki.ca); err != nil {
			t.Fatalf("dial with the client certificate: %v", err)
		}
		if calls.Load() == 0 {
			t.Error("the frontend saw no call")
		}
		if err := dial("TEMPORAL_ADDRESS="+addr, "TEMPORAL_TLS_CA="+pki.ca); err == nil {
			t.Error("dial without a client certificate succeeded")
		}
		if err := dial("TEMPORAL_ADDRESS=" + addr); err == nil {
			t.Error("dial in plain gRPC succeeded")
		}
	})
	t.Run("API key", func(t *testing.T) {
		addr, _ := startTLSFrontend(t, pki, tls.NoClientCert, "kunci-api-rahasia")
		if err := dial("TEMPORAL_ADDRESS="+addr, "TEMPORAL_TLS_CA="+pki.ca, "TEMPORAL_API_KEY=kunci-api-rahasia"); err != nil {
			t.Fatalf("dial with the API key: %v", err)
		}
		if err := dial("TEMPORAL_ADDRESS="+addr, "TEMPORAL_TLS_CA="+pki.ca, "TEMPORAL_API_KEY=kunci-lain"); err == nil {
			t.Error("dial with a wrong API key succeeded")
		}
	})
}

// startTLSFrontend serves the calls a client makes when it dials (health
// check, system info) over TLS with the test CA's server certificate. A
// non-empty apiKey is required as a bearer token.
func startTLSFrontend(t *testing.T, pki *testPKI, clientAuth tls.ClientAuthType, apiKey string) (string, *atomic.Int64) {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(pki.serverCert, pki.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, ClientAuth: clientAuth, ClientCAs: pki.pool, MinVersion: tls.VersionTLS12}
	calls := &atomic.Int64{}
	auth := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		if apiKey != "" {
			md, _ := metadata.FromIncomingContext(ctx)
			if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+apiKey {
				return nil, status.Error(codes.Unauthenticated, "bad API key")
			}
		}
		calls.Add(1)
		return next(ctx, req)
	}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(cfg)), grpc.UnaryInterceptor(auth))
	hs := health.NewServer()
	hs.SetServingStatus("temporal.api.workflowservice.v1.WorkflowService", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(srv, hs)
	workflowservice.RegisterWorkflowServiceServer(srv, systemInfoOnly{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return ln.Addr().String(), calls
}

type systemInfoOnly struct {
	workflowservice.UnimplementedWorkflowServiceServer
}

func (systemInfoOnly) GetSystemInfo(context.Context, *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	return &workflowservice.GetSystemInfoResponse{ServerVersion: "1.32.1"}, nil
}

// testPKI is a CA of the test's own, a server certificate for 127.0.0.1
// and a client certificate, as PEM files.
type testPKI struct {
	ca, serverCert, serverKey, clientCert, clientKey string
	pool                                             *x509.CertPool
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "uji CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	p := &testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)
	p.ca = writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER)
	issue := func(name string, serial int64, usage x509.ExtKeyUsage, ips []net.IP) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		return writePEM(t, dir, name+".pem", "CERTIFICATE", der), writePEM(t, dir, name+"-key.pem", "EC PRIVATE KEY", keyDER)
	}
	p.serverCert, p.serverKey = issue("server", 2, x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")})
	p.clientCert, p.clientKey = issue("client", 3, x509.ExtKeyUsageClientAuth, nil)
	return p
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
