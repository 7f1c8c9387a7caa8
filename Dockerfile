# slashsim on a slim Debian: the release tarball (no Swift toolchain inside) plus the BLAS/LAPACK runtime.
# The image the Kubernetes examples in docs/ name. Build the tarball first, then the image:
#
#   bash scripts/package-release.sh dist
#   docker build -t slashsim:0.2.0 .
#   docker run --rm slashsim:0.2.0 run Scenarios/three-lrts.yaml --trials 100000
#
# The working directory /work holds the bundled Scenarios/ (mount your own over it: -v "$PWD:/work").
# OpenBLAS is the BLAS (Debian's libopenblas0 provides libblas.so.3 and liblapack.so.3 by update-alternatives);
# the reference libblas3/liblapack3 work too, slower.
FROM debian:bookworm-slim
ARG VERSION=0.2.0
ARG ARCH=x86_64
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopenblas0-pthread liblapack3 libstdc++6 \
 && rm -rf /var/lib/apt/lists/*
ADD dist/slashsim-${VERSION}-linux-${ARCH}.tar.gz /opt/
RUN ln -s /opt/slashsim-${VERSION}-linux-${ARCH}/bin/slashsim /usr/local/bin/slashsim \
 && mkdir -p /usr/local/share/man/man1 \
 && cp /opt/slashsim-${VERSION}-linux-${ARCH}/share/man/man1/*.1 /usr/local/share/man/man1/ \
 && mkdir -p /work && cp -R /opt/slashsim-${VERSION}-linux-${ARCH}/share/slashsim/Scenarios /work/Scenarios \
 && slashsim --version
WORKDIR /work
ENTRYPOINT ["slashsim"]
CMD ["run"]
