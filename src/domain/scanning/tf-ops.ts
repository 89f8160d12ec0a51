import type { Severity } from './scan-report';

/**
 * TensorFlow graph ops. A SavedModel runs the ops in its graph; ops that read or write files or call back
 * into Python are dangerous, and anything not on this list of ops that inference graphs (and the saver
 * graph every SavedModel carries) use is flagged for review: a custom op means a loaded shared library.
 */
const DANGEROUS = new Map<string, string>([
  ['ReadFile', 'reads a file'], ['WriteFile', 'writes a file'], ['MatchingFiles', 'lists files'],
  ['PyFunc', 'calls Python'], ['PyFuncStateless', 'calls Python'], ['EagerPyFunc', 'calls Python'],
  ['ImmutableConst', 'maps a file into memory'], ['PrintV2', 'can write to a file'],
  ['TFRecordDataset', 'reads files'], ['TextLineDataset', 'reads files'], ['FixedLengthRecordDataset', 'reads files'],
  ['TFRecordDatasetV2', 'reads files'], ['TextLineDatasetV2', 'reads files'], ['LoadDataset', 'reads files'],
  ['SaveDataset', 'writes files'], ['SaveDatasetV2', 'writes files'], ['DebugIdentityV2', 'writes debug dumps'],
  ['DebugIdentity', 'writes debug dumps'], ['SummaryWriter', 'writes files'], ['CreateSummaryFileWriter', 'writes files'],
  ['WriteScalarSummary', 'writes files'], ['ExperimentalLMDBDataset', 'reads files'], ['LMDBDataset', 'reads files'],
]);

const ALLOWED = new Set<string>(`
Abs Acos Acosh Add AddN AddV2 All Any ApproximateEqual ArgMax ArgMin Asin Asinh Assert AssignAddVariableOp
AssignSubVariableOp AssignVariableOp Atan Atan2 Atanh AvgPool AvgPool3D BatchMatMul BatchMatMulV2 BatchMatMulV3
BatchToSpaceND BiasAdd BiasAddV1 Bitcast BroadcastArgs BroadcastTo Bucketize Case Cast Ceil CheckNumerics
CheckNumericsV2 ClipByValue ComplexAbs Concat ConcatV2 ConcatOffset Const ControlTrigger Conv1D Conv2D
Conv2DBackpropInput Conv3D Conv3DBackpropInputV2 Cos Cosh CropAndResize Cumprod Cumsum DepthToSpace
DepthwiseConv2dNative DepthwiseConv2dNativeBackpropInput Dequantize DestroyResourceOp DiagPart Dilation2D Div
DivNoNan DynamicStitch Einsum Elu Empty EnsureShape Enter Equal Erf Erfc Exit Exp ExpandDims Expm1
ExtractImagePatches FakeQuantWithMinMaxArgs FakeQuantWithMinMaxVars FakeQuantWithMinMaxVarsPerChannel Fill
Floor FloorDiv FloorMod FusedBatchNorm FusedBatchNormV2 FusedBatchNormV3 Gather GatherNd GatherV2 Gelu
Greater GreaterEqual HashTableV2 Identity IdentityN If Imag InTopKV2 InvertPermutation IsFinite IsInf IsNan
IsVariableInitialized L2Loss LeakyRelu Less LessEqual LinSpace Log Log1p LogSoftmax LogicalAnd LogicalNot
LogicalOr LookupTableFindV2 LookupTableImportV2 LookupTableSizeV2 LoopCond LRN MatMul MatrixBandPart
MatrixDiag MatrixDiagV3 MatrixSetDiagV3 Max MaxPool MaxPool3D MaxPoolV2 MaxPoolWithArgmax Maximum Mean Merge Min
Minimum MirrorPad Mod Mul MulNoNan Multinomial Neg NextIteration NoOp NonMaxSuppressionV3 NonMaxSuppressionV4
NonMaxSuppressionV5 NotEqual OneHot OnesLike Pack Pad PadV2 PartitionedCall Placeholder PlaceholderWithDefault
Pow Prod QuantizeV2 Range Rank ReadVariableOp Real RealDiv Reciprocal Relu Relu6 Reshape ResizeBilinear
ResizeNearestNeighbor ResourceGather ResourceGatherNd ResourceScatterUpdate Reverse ReverseSequence ReverseV2
RightShift LeftShift RandomStandardNormal RandomUniform RandomUniformInt Rint Round Rsqrt ScatterNd Select
SelectV2 Selu Shape ShapeN Sigmoid Sign Sin Sinh Size Slice Snapshot Softmax Softplus Softsign SpaceToBatchND
SpaceToDepth SparseToDense Split SplitV Sqrt Square SquaredDifference Squeeze StatefulPartitionedCall
StatelessIf StatelessWhile StatelessRandomUniformV2 StatelessRandomNormalV2 StatelessRandomGetKeyCounter
StopGradient StridedSlice StridedSliceGrad Sub Sum Switch Tan Tanh TensorListFromTensor TensorListGetItem
TensorListLength TensorListReserve TensorListSetItem TensorListStack TensorScatterUpdate Tile TopKV2 Transpose
TruncateDiv TruncatedNormal Unique Unpack UnsortedSegmentMax UnsortedSegmentSum VarHandleOp VarIsInitializedOp
VariableShape VariableV2 Variable Where While Xdivy Xlog1py ZerosLike StringJoin StaticRegexFullMatch
ShardedFilename SaveV2 RestoreV2 MergeV2Checkpoints SaveSlices RestoreSlice Restore Save StringFormat
StringToNumber StringLength Substr RegexReplace StaticRegexReplace StringSplitV2 StringLower StringUpper
AsString DecodeBase64 EncodeBase64 DecodeJpeg DecodePng DecodeImage EncodePng EncodeJpeg ResizeArea
ResizeBicubic ImageProjectiveTransformV3 AdjustContrastv2 AdjustHue AdjustSaturation RGBToHSV HSVToRGB
SegmentSum SegmentMean SegmentMax SegmentMin Qr Svd Cholesky MatrixInverse MatrixDeterminant
MatrixTriangularSolve BatchMatrixBandPart Softmax SparseSoftmaxCrossEntropyWithLogits
SoftmaxCrossEntropyWithLogits Bincount DenseBincount RaggedTensorToTensor RaggedRange RaggedGather
TensorArrayV3 TensorArrayReadV3 TensorArrayWriteV3 TensorArrayGatherV3 TensorArrayScatterV3 TensorArraySizeV3
TensorArrayCloseV3 Timestamp DeviceIndex Roll Conj Complex FFT IFFT RFFT IRFFT Angle BroadcastGradientArgs
`.split(/\s+/).filter(Boolean));

export interface OpVerdict {
  severity: Severity;
  rule: 'tf-dangerous-op' | 'tf-op-review';
  message: string;
}

/** null = allowed. `functions` are the graph's own function names, which nodes call like ops. */
export function classifyOp(op: string, functions: ReadonlySet<string>): OpVerdict | null {
  const danger = DANGEROUS.get(op);
  if (danger) return { severity: 'HIGH', rule: 'tf-dangerous-op', message: `op ${op} ${danger}` };
  if (ALLOWED.has(op) || functions.has(op)) return null;
  return { severity: 'MEDIUM', rule: 'tf-op-review', message: `op ${op} is not on the reviewed op list` };
}
