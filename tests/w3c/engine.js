// rdf-test-suite needs an engine module even for protocol tests, which talk to a live
// server over HTTP: this one refuses to be used for anything else.
module.exports = {
  parse: async function () { throw new Error("lod's protocol tests use no query engine"); },
  query: async function () { throw new Error("lod's protocol tests use no query engine"); },
};
