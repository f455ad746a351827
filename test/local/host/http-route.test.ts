import { describe, expect, it } from 'vitest';
import { compareRoutes, CompiledRoute, RouteTemplateError } from '../../../local/host/http-route';

describe('HTTP route templates', () => {
  it('matches literals case-insensitively and decodes parameters', () => {
    const route = new CompiledRoute('Orders/{id}/Items');
    expect(route.match('/orders/a%20b/items')).toEqual({ id: 'a b' });
    expect(route.match('/orders/a/items/')).toEqual({ id: 'a' });
    expect(route.match('/orders/a/other')).toBeUndefined();
    expect(route.match('/orders//items')).toBeUndefined();
  });

  it('supports optional parameters, defaults and catch-alls', () => {
    expect(new CompiledRoute('start/{name}/{id?}').match('/start/x')).toEqual({ name: 'x' });
    expect(new CompiledRoute('start/{name}/{id?}').match('/start/x/7')).toEqual({ name: 'x', id: '7' });
    expect(new CompiledRoute('page/{n=1}').match('/page')).toEqual({ n: '1' });
    expect(new CompiledRoute('files/{*path}').match('/files/a/b%2Fc/d')).toEqual({ path: 'a/b/c/d' });
    expect(new CompiledRoute('files/{*path}').match('/files')).toEqual({});
  });

  it('applies constraints', () => {
    const r = (t: string, p: string) => new CompiledRoute(t).match(p);
    expect(r('x/{id:int}', '/x/-12')).toEqual({ id: '-12' });
    expect(r('x/{id:int}', '/x/1.5')).toBeUndefined();
    expect(r('x/{id:guid}', '/x/5f0c7c2e-1b1a-4c1e-9a55-6a8e2d1f3b4c')).toBeDefined();
    expect(r('x/{id:guid}', '/x/not-a-guid')).toBeUndefined();
    expect(r('x/{flag:bool}', '/x/TRUE')).toEqual({ flag: 'TRUE' });
    expect(r('x/{s:alpha:minlength(2):maxlength(3)}', '/x/abc')).toEqual({ s: 'abc' });
    expect(r('x/{s:alpha:minlength(2):maxlength(3)}', '/x/abcd')).toBeUndefined();
    expect(r('x/{n:range(1,5)}', '/x/5')).toEqual({ n: '5' });
    expect(r('x/{n:range(1,5)}', '/x/6')).toBeUndefined();
    expect(r('x/{code:regex(^[a-z]{{2}}-\\d+$)}', '/x/ab-12')).toEqual({ code: 'ab-12' });
    expect(r('x/{code:regex(^[a-z]{{2}}-\\d+$)}', '/x/abc-12')).toBeUndefined();
  });

  it('matches complex segments', () => {
    expect(new CompiledRoute('report/{year}-{month}.{format}').match('/report/2030-05.csv')).toEqual({ year: '2030', month: '05', format: 'csv' });
  });

  it('orders literal routes before parameter routes before catch-alls', () => {
    const routes = ['items/{*rest}', 'items/{id}', 'items/special', 'items/{id:int}'].map((t) => new CompiledRoute(t));
    expect(routes.sort(compareRoutes).map((r) => r.template)).toEqual(['items/special', 'items/{id:int}', 'items/{id}', 'items/{*rest}']);
  });

  it('rejects malformed templates', () => {
    expect(() => new CompiledRoute('a/{id')).toThrow(RouteTemplateError);
    expect(() => new CompiledRoute('a/{id?}/b')).toThrow(/last segment/);
    expect(() => new CompiledRoute('a/{id:unknown}')).toThrow(/unknown constraint/);
    expect(() => new CompiledRoute('a/{x}{y}')).toThrow(/need a literal/);
  });
});
