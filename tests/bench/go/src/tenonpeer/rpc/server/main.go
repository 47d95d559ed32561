// The plugin process of the hashicorp/go-plugin peer: serves Peer over
// net/rpc, or over gRPC when the host sets TENON_BENCH_PEER_PROTOCOL=grpc.
package main

import (
	"os"
	"sync"

	"github.com/hashicorp/go-plugin"

	"tenonpeer/rpc/shared"
)

type store struct {
	mu      sync.Mutex
	entries map[string][]byte
}

func (s *store) Len() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.entries))
}

func (s *store) Echo(in []byte) []byte {
	out := make([]byte, len(in))
	copy(out, in)
	return out
}

func main() {
	impl := &store{entries: map[string][]byte{"key": []byte("0123456789abcdef")}}
	config := &plugin.ServeConfig{HandshakeConfig: shared.Handshake}
	if os.Getenv(shared.ProtocolEnv) == "grpc" {
		config.Plugins = map[string]plugin.Plugin{"peer": &shared.GRPCPlugin{Impl: impl}}
		config.GRPCServer = plugin.DefaultGRPCServer
	} else {
		config.Plugins = map[string]plugin.Plugin{"peer": &shared.RPCPlugin{Impl: impl}}
	}
	plugin.Serve(config)
}
