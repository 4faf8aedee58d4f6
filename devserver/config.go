package devserver

import (
	"net"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
)

const (
	// clusterName and numHistoryShards are written into the database on
	// first start; an existing temporal.db does not start with other values.
	clusterName = "active"
	// One history shard: every workflow lives on one node anyway, SQLite
	// serialises writes, and each shard costs its own queue processors,
	// timers and goroutines. More shards would only cost memory and CPU.
	numHistoryShards = 1

	// namespaceRefreshInterval is how often every service re-reads namespaces
	// from the database. Search attributes added at start become usable only
	// once history and frontend have re-read the namespace, and Start waits
	// for that, so the interval bounds how long a restart with new search
	// attributes takes. Re-reading one namespace row each second is cheap.
	namespaceRefreshInterval = time.Second

	// membershipJoinTimeout bounds one attempt of a service to join the
	// others. They all run in this process and find each other within a
	// second; Start clears the records of earlier runs (see forgetMembers)
	// so no attempt waits for a service that is gone.
	membershipJoinTimeout = 10 * time.Second
)

// Names of the Temporal services run in-process, as the server config
// spells them.
const (
	serviceFrontend = "frontend"
	serviceHistory  = "history"
	serviceMatching = "matching"
	serviceWorker   = "worker"
)

// topology is where every part of the server listens.
type topology struct {
	frontend     listenAddr // public gRPC; clients and the UI connect here
	frontendHTTP int        // Temporal's HTTP API, next to the gRPC one
	// internalIP is where the internal services listen and what every
	// service announces to the others.
	internalIP net.IP
	// grpc and membership ports of the internal services, by name
	grpc       map[string]int
	membership map[string]int
}

// sqliteConfig describes the SQLite file at path. WAL journaling with
// synchronous=normal syncs the disk only at checkpoints rather than on every
// commit: a committed transaction survives a crash of the process, which is
// the durability a dev server needs, at a fraction of the fsync cost.
func sqliteConfig(path string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
		},
	}
}

func serverConfig(dbPath string, t topology) *config.Config {
	internal := t.internalIP.String()
	frontendDial := t.frontend.dialString()
	service := func(name string) config.Service {
		return config.Service{RPC: config.RPC{
			GRPCPort:       t.grpc[name],
			MembershipPort: t.membership[name],
			BindOnIP:       internal,
		}}
	}
	frontend := service(serviceFrontend)
	frontend.RPC.GRPCPort = t.frontend.port
	frontend.RPC.BindOnIP = t.frontend.ip.String()
	frontend.RPC.HTTPPort = t.frontendHTTP

	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{
				MaxJoinDuration:  membershipJoinTimeout,
				BroadcastAddress: internal,
			},
			// Metrics and pprof stay off (nil config, port 0): nobody
			// scrapes a dev server, and each would need another port.
		},
		Persistence: config.Persistence{
			DefaultStore:     sqliteplugin.PluginName,
			VisibilityStore:  sqliteplugin.PluginName,
			NumHistoryShards: numHistoryShards,
			DataStores: map[string]config.DataStore{
				sqliteplugin.PluginName: {SQL: sqliteConfig(dbPath)},
			},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {
					Enabled:                true,
					InitialFailoverVersion: 1,
					RPCAddress:             frontendDial,
				},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			serviceFrontend: frontend,
			serviceHistory:  service(serviceHistory),
			serviceMatching: service(serviceMatching),
			serviceWorker:   service(serviceWorker),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{
			Archival: config.ArchivalNamespaceDefaults{
				History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
				Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
			},
		},
		// The worker service's system workflows (scanners, batch jobs)
		// reach the frontend through this address.
		PublicClient: config.PublicClient{
			HostPort:     frontendDial,
			HTTPHostPort: net.JoinHostPort(dialIP(t.frontend.ip).String(), strconv.Itoa(t.frontendHTTP)),
		},
	}
}

// dynamicConfig tunes the server for one node and one worker process.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// A task queue is split into partitions (4 by default) so that many
		// matching nodes can share it. With one node and one worker the
		// partitions only add forwarding hops and more rows in SQLite.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		dynamicconfig.NamespaceCacheRefreshInterval.Key():       namespaceRefreshInterval,
	}
}
