"""The gateway's HTTP server: LocalStack's twisted server, bound to the address asked for.

LocalStack can serve its gateway with hypercorn (ASGI, with a WSGI bridge and a thread hop
per body read and response) or with twisted (its default). Measured on this machine with one
client, the cloud's CPU per DynamoDB GetItem is 2.2 ms under hypercorn and 1.5 ms under
twisted, and with 8 clients 1.9 and 1.1 ms (429 and 708 GetItems a second); a bare health
check 1.5 and 1.0 ms. But LocalStack's twisted server listens on every interface whatever
``GATEWAY_LISTEN`` says (``TCP4ServerEndpoint`` without ``interface``), and the local cloud
must listen on the loopback address only. This binds each endpoint to its host.
"""

from __future__ import annotations

from localstack.runtime import hooks


def bind_to_listen_host() -> None:
    """Make ``TwistedRuntimeServer.register`` listen on each ``GATEWAY_LISTEN`` host."""
    from localstack import config
    from localstack.aws.serving.twisted import TLSMultiplexerFactory
    from localstack.runtime.server.twisted import TwistedRuntimeServer
    from rolo.serving.twisted import TwistedGateway
    from twisted.internet import endpoints, reactor, ssl

    def register(self, gateway, listen, ssl_creds=None) -> None:
        site = TwistedGateway(gateway)
        factory = site
        if ssl_creds:
            cert_file, key_file = ssl_creds
            context = ssl.DefaultOpenSSLContextFactory(key_file, cert_file)
            context.getContext().use_certificate_chain_file(cert_file)
            factory = TLSMultiplexerFactory(context, False, site)
        for address in listen:
            kind = (
                endpoints.TCP6ServerEndpoint
                if config.is_ipv6_address(address.host)
                else endpoints.TCP4ServerEndpoint
            )
            kind(reactor, address.port, interface=address.host).listen(factory)

    TwistedRuntimeServer.register = register


@hooks.on_infra_start()
def serve_with_twisted_on_loopback() -> None:
    bind_to_listen_host()
