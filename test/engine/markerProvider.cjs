// A dynamic provider whose resources are files named after them: what the engine asked it to create
// or delete shows in the directory. Plain CommonJS, loaded with Node's own require: the SDK serializes
// these functions into the state, and it cannot serialize code that vitest has transformed.
exports.markerProvider = {
  async create(inputs) {
    require("node:fs").writeFileSync(`${inputs.dir}/${inputs.name}`, String(inputs.value));
    return { id: inputs.name, outs: inputs };
  },
  async diff(_id, olds, news) {
    const changed = olds.value !== news.value;
    return { changes: changed, replaces: changed ? ["value"] : [], deleteBeforeReplace: true };
  },
  async delete(_id, props) {
    require("node:fs").rmSync(`${props.dir}/${props.name}`, { force: true });
  },
};
