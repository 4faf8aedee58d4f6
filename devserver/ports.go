package devserver

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// listenAddr is an address given in Options, parsed.
type listenAddr struct {
	ip   net.IP // address to bind; may be unspecified (0.0.0.0 or ::)
	port int    // 0 until a free port is chosen
}

// parseListenAddr accepts "host:port" where host is an IP, "localhost" or
// empty (every interface). Temporal binds to IP literals only, so names other
// than localhost are refused here rather than failing inside the server.
func parseListenAddr(addr string) (listenAddr, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return listenAddr{}, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return listenAddr{}, fmt.Errorf("invalid port %q", portStr)
	}
	var ip net.IP
	switch host {
	case "":
		ip = net.IPv4zero
	case "localhost":
		ip = net.IPv4(127, 0, 0, 1)
	default:
		ip = net.ParseIP(host)
		if ip == nil {
			return listenAddr{}, fmt.Errorf("host %q is not an IP address or localhost", host)
		}
	}
	return listenAddr{ip: ip, port: port}, nil
}

// dialIP is where a client on this machine reaches a listener bound to ip:
// a listener on every interface is reached through the loopback address.
func dialIP(ip net.IP) net.IP {
	if ip.IsUnspecified() {
		return net.IPv4(127, 0, 0, 1)
	}
	return ip
}

func (a listenAddr) String() string {
	return net.JoinHostPort(a.ip.String(), strconv.Itoa(a.port))
}

// dialString is the host:port a client on this machine dials.
func (a listenAddr) dialString() string {
	return net.JoinHostPort(dialIP(a.ip).String(), strconv.Itoa(a.port))
}

// portReservation holds listeners on the ports chosen for one server, so
// that no port is handed out twice while the others are being chosen.
//
// Temporal and the UI server bind their own listeners and treat a failed
// bind as fatal, so a taken port must be found here, where it can still be
// reported as an error. The ports are released just before the servers bind
// them, so another process could take one in between; neither server
// accepts a ready listener, and on a developer's machine that window is
// small enough to accept.
type portReservation struct {
	listeners []net.Listener
}

// reserve binds a; port 0 becomes a free port. It returns a with the port
// filled in.
func (r *portReservation) reserve(a listenAddr) (listenAddr, error) {
	l, err := net.Listen("tcp", a.String())
	if err != nil {
		if a.port != 0 {
			return a, fmt.Errorf("%s is not available: %w", a, err)
		}
		return a, err
	}
	r.listeners = append(r.listeners, l)
	a.port = l.Addr().(*net.TCPAddr).Port
	return a, nil
}

// release closes every listener; it is safe to call more than once.
func (r *portReservation) release() error {
	var errs []error
	for _, l := range r.listeners {
		errs = append(errs, l.Close())
	}
	r.listeners = nil
	return errors.Join(errs...)
}
