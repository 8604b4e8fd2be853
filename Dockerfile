# The controller image: one static binary on a distroless base, running as nonroot.
#   docker build -t ghcr.io/tk-gitops/tk:v0.1.0 .
FROM rust:1.89-bookworm AS build
RUN rustup target add x86_64-unknown-linux-musl && apt-get update && apt-get install -y --no-install-recommends musl-tools cmake
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl --bin tk \
 && cp target/x86_64-unknown-linux-musl/release/tk /tk

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /tk /usr/local/bin/tk
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/tk"]
