import { SourceType } from '../../../src/domain/catalog/catalog-enums';
import { validateFilter } from '../../../src/domain/catalog/model-query';
import { mergeModelUpdate, modelProject, validateModelDraft } from '../../../src/domain/catalog/model-validation';
import { ValidationError } from '../../../src/domain/common/domain-error';
import { projectId } from '../../../src/domain/governance/project';

const base = { name: 'llama-3.1-8b', sourceType: SourceType.HUGGING_FACE };

describe('a model project is stored as it is checked', () => {
  test.each([
    [' Beta ', 'beta'],
    ['Team.Vision_2', 'team.vision_2'],
    ['default', 'default'],
  ])('%j is %j, exactly what projectId makes of it for a check', (typed, stored) => {
    expect(modelProject(typed)).toBe(stored);
    expect(modelProject(typed)).toBe(projectId('project', typed));
    expect(validateModelDraft({ ...base, project: typed }).project).toBe(stored);
  });

  test.each([null, undefined, '', '   '])('%j is no project (the default one)', (typed) => {
    expect(modelProject(typed)).toBeNull();
  });

  test.each(['has space', '-leading', 'x'.repeat(64), 'naïve'])('%j is not a project id: BAD_USER_INPUT on project', (typed) => {
    expect(() => validateModelDraft({ ...base, project: typed })).toThrow(ValidationError);
    try {
      modelProject(typed);
    } catch (error) {
      expect((error as ValidationError).field).toBe('project');
    }
  });

  test('an update that moves the model normalises the new project', () => {
    const current = validateModelDraft({ ...base, project: 'alpha' });
    expect(mergeModelUpdate(current, { project: ' Gamma ' }).project).toBe('gamma');
    expect(mergeModelUpdate(current, { project: null }).project).toBeNull();
  });

  test('an update that leaves the project alone keeps a legacy value it could not store today', () => {
    const legacy = { ...validateModelDraft(base), project: 'Old Team' };
    expect(mergeModelUpdate(legacy, { description: 'still editable' })).toMatchObject({ project: 'Old Team', description: 'still editable' });
  });

  test('the project filter is normalised the same way', () => {
    expect(validateFilter({ project: ' Beta ' }).project).toBe('beta');
    expect(() => validateFilter({ project: 'not a project' })).toThrow(ValidationError);
  });
});
