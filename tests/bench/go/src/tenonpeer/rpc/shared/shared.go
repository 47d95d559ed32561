// Package shared is what the hashicorp/go-plugin peer's host and plugin
// process agree on: the interface, the handshake, and its net/rpc and gRPC
// plumbing. The gRPC service is declared by hand over the protobuf
// well-known wrapper messages, so no protoc step is needed.
package shared

import (
	"context"
	"net/rpc"

	"github.com/golang/protobuf/ptypes/wrappers"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Peer is the work the plugin process does: kv's len() and an echo.
type Peer interface {
	Len() uint64
	Echo(in []byte) []byte
}

// Handshake makes sure the host started the right binary.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "TENON_BENCH_PEER",
	MagicCookieValue: "go-plugin",
}

// ProtocolEnv tells the plugin process which protocol to serve.
const ProtocolEnv = "TENON_BENCH_PEER_PROTOCOL"

// RPCPlugin carries Peer over net/rpc.
type RPCPlugin struct{ Impl Peer }

// Server is called in the plugin process.
func (p *RPCPlugin) Server(*plugin.MuxBroker) (interface{}, error) {
	return &RPCServer{impl: p.Impl}, nil
}

// Client is called in the host.
func (p *RPCPlugin) Client(_ *plugin.MuxBroker, c *rpc.Client) (interface{}, error) {
	return &rpcClient{c: c}, nil
}

// RPCServer is the net/rpc receiver in the plugin process.
type RPCServer struct{ impl Peer }

// Len serves Peer.Len.
func (s *RPCServer) Len(_ int, out *uint64) error {
	*out = s.impl.Len()
	return nil
}

// Echo serves Peer.Echo.
func (s *RPCServer) Echo(in []byte, out *[]byte) error {
	*out = s.impl.Echo(in)
	return nil
}

type rpcClient struct{ c *rpc.Client }

func (c *rpcClient) Len() uint64 {
	var out uint64
	if err := c.c.Call("Plugin.Len", 0, &out); err != nil {
		panic(err)
	}
	return out
}

func (c *rpcClient) Echo(in []byte) []byte {
	var out []byte
	if err := c.c.Call("Plugin.Echo", in, &out); err != nil {
		panic(err)
	}
	return out
}

// GRPCPlugin carries Peer over gRPC.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl Peer
}

// GRPCServer is called in the plugin process.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&serviceDesc, &grpcServer{impl: p.Impl})
	return nil
}

// GRPCClient is called in the host.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return &grpcClient{conn: c}, nil
}

type peerService interface{ peer() Peer }

type grpcServer struct{ impl Peer }

func (s *grpcServer) peer() Peer { return s.impl }

func unary(method string, call func(Peer, interface{}) interface{}, newIn func() interface{}) grpc.MethodDesc {
	full := "/tenonpeer.Peer/" + method
	return grpc.MethodDesc{
		MethodName: method,
		Handler: func(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
			in := newIn()
			if err := dec(in); err != nil {
				return nil, err
			}
			handler := func(_ context.Context, req interface{}) (interface{}, error) {
				return call(srv.(peerService).peer(), req), nil
			}
			if interceptor == nil {
				return handler(ctx, in)
			}
			return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: full}, handler)
		},
	}
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "tenonpeer.Peer",
	HandlerType: (*peerService)(nil),
	Methods: []grpc.MethodDesc{
		unary("Len", func(p Peer, _ interface{}) interface{} {
			return &wrappers.UInt64Value{Value: p.Len()}
		}, func() interface{} { return new(wrappers.UInt64Value) }),
		unary("Echo", func(p Peer, in interface{}) interface{} {
			return &wrappers.BytesValue{Value: p.Echo(in.(*wrappers.BytesValue).Value)}
		}, func() interface{} { return new(wrappers.BytesValue) }),
	},
	Streams:  []grpc.StreamDesc{},
	Metadata: "tenonpeer.proto",
}

type grpcClient struct{ conn *grpc.ClientConn }

func (c *grpcClient) Len() uint64 {
	out := new(wrappers.UInt64Value)
	if err := c.conn.Invoke(context.Background(), "/tenonpeer.Peer/Len", &wrappers.UInt64Value{}, out); err != nil {
		panic(err)
	}
	return out.Value
}

func (c *grpcClient) Echo(in []byte) []byte {
	out := new(wrappers.BytesValue)
	if err := c.conn.Invoke(context.Background(), "/tenonpeer.Peer/Echo", &wrappers.BytesValue{Value: in}, out); err != nil {
		panic(err)
	}
	return out.Value
}
