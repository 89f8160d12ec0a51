// Lets a child process (a worker killed by a test) run the TypeScript sources directly, as ts-jest does.
const fs = require('node:fs');
const ts = require('typescript');
const path = require('node:path');

const configFile = ts.readConfigFile(path.resolve(__dirname, '../../tsconfig.json'), ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, path.resolve(__dirname, '../..'));

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { ...options, module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: false },
    fileName: filename,
  });
  module._compile(outputText, filename);
};
